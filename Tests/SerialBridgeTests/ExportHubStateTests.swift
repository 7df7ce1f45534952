import Testing

@testable import SerialBridge

/// The export hub's decisions, fed events with no sockets: admission and takeover, fan-out with
/// per-client overflow, FLOWCONTROL-SUSPEND holding, and backpressure towards the device.
@Suite struct ExportHubStateTests {
    typealias State = ExportHubState<Int, String>

    static func policy(
        maxClients: Int = 4, takeover: Bool = false, queue: Int = 10, overflow: OverflowPolicy = .drop,
        open: OpenPolicy = .always
    ) -> State.Policy {
        .init(
            maxClients: maxClients, takeover: takeover, clientQueueBytes: queue, overflowPolicy: overflow,
            openPolicy: open, deviceQueueLimit: 100)
    }

    @Test func admissionRefusesOrTakesOverTheOldest() {
        var refusing = State(policy: Self.policy(maxClients: 2))
        #expect(refusing.add(1) == .accepted(evicted: nil, paused: false, startDevice: false))
        #expect(refusing.add(2) == .accepted(evicted: nil, paused: false, startDevice: false))
        #expect(refusing.add(3) == .refused)
        #expect(refusing.statistics.clientsRefused == 1 && refusing.statistics.clients == 2)

        var taking = State(policy: Self.policy(maxClients: 2, takeover: true))
        _ = taking.add(1)
        _ = taking.add(2)
        #expect(taking.add(3) == .accepted(evicted: 1, paused: false, startDevice: false))
        #expect(taking.members == [2, 3])
        #expect(taking.statistics.clientsAccepted == 3)
    }

    @Test func theOpenPolicyClientsStartsAndStopsTheDeviceWithItsClients() {
        var state = State(policy: Self.policy(open: .clients))
        #expect(state.add(1) == .accepted(evicted: nil, paused: false, startDevice: true))
        _ = state.add(2)
        let stops = [state.remove(1), state.remove(1), state.remove(2)]  // the second: not a client any more
        #expect(stops == [false, false, true])
    }

    @Test func everyClientGetsEveryChunkAndAFullOneLosesItAlone() {
        var state = State(policy: Self.policy())
        _ = state.add(1)
        _ = state.add(2)
        let full: Set = [2]
        #expect(
            state.deviceOutput("a", bytes: 5) { !full.contains($0) } == [.write(1), .dropped(2, episodeStarted: true)])
        #expect(
            state.deviceOutput("b", bytes: 5) { !full.contains($0) } == [.write(1), .dropped(2, episodeStarted: false)])
        state.clientDrained(2)
        #expect(state.deviceOutput("c", bytes: 5) { _ in true } == [.write(1), .write(2)])
        #expect(state.deviceOutput("d", bytes: 5) { $0 == 1 } == [.write(1), .dropped(2, episodeStarted: true)])
        #expect(state.statistics.overflowDroppedBytes == 15 && state.statistics.overflowEpisodes == 2)
        #expect(state.statistics.deviceBytesIn == 20)
    }

    @Test func theDisconnectPolicyClosesAFullClientOnce() {
        var state = State(policy: Self.policy(overflow: .disconnect))
        _ = state.add(1)
        #expect(state.deviceOutput("a", bytes: 5) { _ in false } == [.disconnect(1)])
        #expect(state.deviceOutput("b", bytes: 5) { _ in false } == [.dropped(1, episodeStarted: false)])
        #expect(state.statistics.overflowDisconnects == 1)
    }

    @Test func aSuspendedClientHasItsQueueHeldThenOverflows() {
        var state = State(policy: Self.policy(queue: 10))
        _ = state.add(1)
        let none = state.setSuspended(true, client: 1)
        #expect(none.isEmpty)
        #expect(state.deviceOutput("held-1 ", bytes: 7) { _ in true } == [.held(1)])
        #expect(state.deviceOutput("held-2", bytes: 6) { _ in true } == [.dropped(1, episodeStarted: true)])
        #expect(state.setSuspended(false, client: 1) == ["held-1 "])
        let again = state.setSuspended(false, client: 1)
        #expect(again.isEmpty)  // not suspended: nothing
        #expect(state.deviceOutput("after", bytes: 5) { _ in true } == [.write(1)])
    }

    @Test func aBackedUpDevicePausesClientsAndDropsPastItsLimit() {
        var state = State(policy: Self.policy())
        _ = state.add(1)
        #expect(state.clientWrote(9, bytes: 1, queued: 0) == .ignore)  // not a client
        #expect(state.clientWrote(1, bytes: 50, queued: 0) == .forward(pause: false))
        #expect(state.deviceWritabilityChanged(false) == [1])
        #expect(state.add(2) == .accepted(evicted: nil, paused: true, startDevice: false))
        #expect(state.clientWrote(1, bytes: 40, queued: 50) == .forward(pause: true))
        #expect(state.clientWrote(1, bytes: 40, queued: 90) == .drop(episodeStarted: true))
        #expect(state.clientWrote(2, bytes: 40, queued: 90) == .drop(episodeStarted: false))
        #expect(state.statistics.droppedWhileBackedUp == 80)
        _ = state.deviceWritabilityChanged(true)
        #expect(state.clientWrote(1, bytes: 40, queued: 90) == .forward(pause: false))
    }
}
