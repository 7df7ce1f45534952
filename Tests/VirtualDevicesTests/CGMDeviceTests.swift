import Foundation
import Simulation
import Synchronization
import Testing
import VirtualDevices

/// A CGM subscriber that records every entry it receives.
final class EntryLog: Sendable {
    private let state = Mutex<[CGMEntry]>([])
    var entries: [CGMEntry] { state.withLock { $0 } }
    var subscriber: CGMDevice.Subscriber { { [self] entry in state.withLock { $0.append(entry) } } }
}

@Suite("Virtual CGM device (cgm-jsonl)")
struct CGMDeviceTests {
    static func device(_ profile: String, seed: UInt64? = nil, log: EntryLog? = nil) throws -> CGMDevice {
        try CGMDevice(
            simulation: Simulation(profile: ProfileLoader.shipped(profile), seed: seed),
            subscribers: log.map { [$0.subscriber] } ?? [])
    }

    static func objects(_ lines: [DeviceLine]) throws -> [[String: Any]] {
        try lines.map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.bytes)) as? [String: Any])
        }
    }

    @Test("one line per 5-minute reading, with every field, each also sent to the subscriber")
    func linesAndSubscriber() throws {
        let log = EntryLog()
        var device = try Self.device("cgm-spike", log: log)
        #expect(device.protocolName == "cgm-jsonl")
        #expect(device.baudRate == 9600)
        var lines: [DeviceLine] = []
        for minute in stride(from: 7.0, through: 120, by: 7) { lines += device.advance(to: minute * 60 + 0.173) }
        lines += device.advance(to: 7200)
        #expect(lines.count == 25)  // 0, 5, …, 120 minutes
        #expect(lines.map(\.time) == (0...24).map { Double($0) * 300 })
        let start = device.simulation.profile.clock.startEpoch
        for (line, object) in zip(lines, try Self.objects(lines)) {
            #expect(line.bytes.last == 0x0A)
            #expect(String(decoding: line.bytes, as: UTF8.self).hasPrefix(#"{"sgv":"#))
            #expect(Set(object.keys) == ["sgv", "direction", "delta", "noise", "date", "dateString", "device"])
            #expect((object["date"] as? Int64) == Int64((start + line.time) * 1000))
            #expect((object["device"] as? String) == "devbridge-cgm")
        }
        #expect(log.entries.count == 25)
        #expect(log.entries.map { CGMJSONLCodec().line(for: $0) } == lines.map(\.bytes))
    }

    @Test("directions follow the slope thresholds; the spike shows up arrows, the plateau Flat")
    func directions() throws {
        let log = EntryLog()
        var device = try Self.device("cgm-spike", log: log)
        _ = device.advance(to: 4 * 3600)
        let entries = log.entries
        var seen = Set<TrendDirection>()
        for entry in entries {
            seen.insert(entry.direction)
            guard let delta = entry.delta else {
                #expect(entry.direction == .notComputable)
                continue
            }
            let slope = delta / 5
            let expected: TrendDirection =
                slope <= -3.5
                ? .doubleDown
                : slope <= -2
                    ? .singleDown
                    : slope <= -1
                        ? .fortyFiveDown
                        : slope <= 1
                            ? .flat
                            : slope <= 2
                                ? .fortyFiveUp
                                : slope <= 3.5 ? .singleUp : .doubleUp
            #expect(entry.direction == expected, "delta \(delta)")
        }
        #expect(seen.contains(.flat))
        #expect(seen.contains(.doubleUp) || seen.contains(.singleUp))
    }

    @Test("an injected spike raises sgv within the next few readings")
    func spikeInjection() throws {
        var control = try Self.device("cgm-t1d-day", seed: 11)
        var spiked = control
        _ = control.advance(to: 3600)
        _ = spiked.advance(to: 3600)
        let before = try #require(spiked.latestEntry()).sgv
        try spiked.inject(EventCommand.parse("spike amount=150mg/dL duration=15m"))
        let a = try Self.objects(control.advance(to: 3600 + 30 * 60)).compactMap { $0["sgv"] as? Int }
        let b = try Self.objects(spiked.advance(to: 3600 + 30 * 60)).compactMap { $0["sgv"] as? Int }
        #expect(a.count == 6 && b.count == 6)
        #expect(b.last! > a.last! + 60, "control \(a), spiked \(b)")
        #expect(b.last! > before + 60)
        #expect(b.prefix(4).max()! > a.prefix(4).max()! + 20)
        #expect(spiked.simulation.log.contains { $0.event.name == "spike" })
    }

    @Test("the same seed gives the same readings; another seed others")
    func determinism() throws {
        func run(_ seed: UInt64) throws -> [[UInt8]] {
            var device = try Self.device("cgm-random-week", seed: seed)
            return device.advance(to: 6 * 3600).map(\.bytes)
        }
        let first = try run(42)
        #expect(!first.isEmpty)
        #expect(try run(42) == first)
        #expect(try run(43) != first)
    }

    @Test("silent during sensor warm-up; port open (reset) restarts nothing")
    func warmUpAndReset() throws {
        var device = try Self.device("cgm-sensor-faults")
        #expect(device.advance(to: 2 * 3600 - 60).isEmpty)
        let lines = device.advance(to: 2 * 3600 + 600)
        #expect(lines.count == 3)
        device.reset()
        #expect(device.receive(Array("hello\n".utf8)).isEmpty)
        let next = device.advance(to: 2 * 3600 + 900)
        #expect(next.map(\.time) == [2 * 3600 + 900])
    }

    @Test("a profile without a CGM channel is refused")
    func refusesNonCGM() throws {
        let simulation = try Simulation(profile: ProfileLoader.shipped("smoker-brisket"))
        #expect(throws: CGMDeviceError.self) { try CGMDevice(simulation: simulation) }
    }

    @Test("two subscribers (one given at init, one added later) both receive every reading, in order")
    func twoSubscribers() throws {
        let first = EntryLog()
        let second = EntryLog()
        var device = try Self.device("cgm-spike", log: first)
        device.subscribe(second.subscriber)
        #expect(device.subscribers.count == 2)
        let lines = device.advance(to: 3600)
        #expect(lines.count == 13)
        #expect(first.entries.map { CGMJSONLCodec().line(for: $0) } == lines.map(\.bytes))
        #expect(second.entries == first.entries)
        // A copy of the device (the runner keeps one) keeps its subscribers.
        var copy = device
        _ = copy.advance(to: 3600 + 300)
        #expect(first.entries.count == 14 && second.entries.count == 14)
    }
}
