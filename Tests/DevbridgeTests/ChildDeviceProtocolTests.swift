import Testing

@testable import DeviceBridgeService

/// The lines between the service and a process-isolated device's child.
@Suite struct ChildDeviceProtocolTests {
    @Test(arguments: [
        ClockAction.pause, .resume, .speed(60), .speed(0.5), .advance(seconds: 3600),
    ])
    func clockCommandsRoundTrip(action: ClockAction) throws {
        let line = ChildDeviceProtocol.commandLine(action)
        #expect(line.hasPrefix(":clock "))
        #expect(try ChildDeviceProtocol.clockAction(fromLine: line) == action)
    }

    @Test func eventsAreNotClockCommandsAndBadClockCommandsAreRefused() throws {
        #expect(try ChildDeviceProtocol.clockAction(fromLine: "lid_open duration=90s") == nil)
        for bad in [":clock", ":clock speed", ":clock speed fast", ":clock rewind 3", ":clock pause now"] {
            #expect(throws: ServiceError.self, "\(bad)") { try ChildDeviceProtocol.clockAction(fromLine: bad) }
        }
    }

    @Test func statusLinesCarryTheLiveFields() throws {
        var snapshot = DeviceSnapshot(
            name: "smoker", profile: "smoker-brisket", protocol: "smart-smoker", model: "smoker", isolation: "embedded",
            status: .running, error: nil, pty: nil, link: nil, baud: 9600, time: 123.5,
            clock: .init(speed: 60, paused: true),
            channels: [.init(name: "pit", unit: "°F", value: 225.5, state: "value")], outputs: ["fuel": 0.75],
            counters: nil, events: [], eventTypes: [], pid: nil, restarts: 0, exports: [])
        snapshot.counters = .init(linesWritten: 4, bytesWritten: 200, bytesDropped: 0, bytesReceived: 6, resets: 1)
        let line = ChildDeviceProtocol.statusLine(snapshot)
        #expect(!line.contains("\n"))
        #expect(ChildDeviceProtocol.status(fromLine: line) == snapshot)
        #expect(ChildDeviceProtocol.status(fromLine: "pty: /dev/pts/3") == nil)
        #expect(ChildDeviceProtocol.status(fromLine: "status: {\"name\":") == nil)  // cut short
    }
}
