import SerialIO
import Testing

@testable import Traces

private let ms: UInt64 = 1_000_000

/// request "HELLO\n" → answer "WORLD\n" 100 ms later, then an unsolicited "TICK\n" 1 s after that.
private func script() -> ReplayScript {
    ReplayScript(steps: [
        .send(Array("BOOT\n".utf8), at: 1000 * ms),
        .expect(Array("HELLO\n".utf8), at: 2000 * ms),
        .send(Array("WORLD\n".utf8), at: 2100 * ms),
        .send(Array("TICK\n".utf8), at: 3100 * ms),
    ])
}

private func sent(_ actions: [ReplayEngine.Action]) -> [UInt8] {
    actions.flatMap { action -> [UInt8] in
        if case .send(let bytes) = action { return bytes }
        return []
    }
}

@Test func withoutMatchTheRecordedTimingIsKeptAndScaled() {
    var engine = ReplayEngine(script: script(), configuration: .init(speed: 2))
    #expect(sent(engine.start(now: 0)) == Array("BOOT\n".utf8))
    // WORLD was recorded 1100 ms after BOOT: at speed 2 it is due at 550 ms.
    #expect(engine.nextDeadline == 550 * ms)
    #expect(sent(engine.advance(now: 549 * ms)).isEmpty)
    #expect(sent(engine.advance(now: 550 * ms)) == Array("WORLD\n".utf8))
    #expect(engine.nextDeadline == 1050 * ms)
    let last = engine.advance(now: 1050 * ms)
    #expect(sent(last) == Array("TICK\n".utf8))
    #expect(last.last == .finished)
    #expect(engine.isFinished)
}

@Test func matchWaitsForTheAppAndKeepsTheAnswerDelay() {
    var engine = ReplayEngine(script: script(), configuration: .init(match: true))
    #expect(sent(engine.start(now: 0)) == Array("BOOT\n".utf8))
    #expect(engine.nextDeadline == nil)  // waiting for the app
    #expect(sent(engine.advance(now: 60_000 * ms)).isEmpty)
    // The app writes its request in two pieces, much later than recorded.
    #expect(engine.appWrote(Array("HEL".utf8), now: 70_000 * ms).isEmpty)
    #expect(engine.appWrote(Array("LO\n".utf8), now: 70_010 * ms).isEmpty)
    #expect(engine.nextDeadline == 70_110 * ms)
    #expect(sent(engine.advance(now: 70_110 * ms)) == Array("WORLD\n".utf8))
    #expect(sent(engine.advance(now: 71_110 * ms)) == Array("TICK\n".utf8))
    #expect(engine.mismatches.isEmpty)
}

@Test func aWrongWriteIsReportedWithExpectedActualAndOffset() throws {
    var engine = ReplayEngine(script: script(), configuration: .init(match: true))
    _ = engine.start(now: 0)
    let actions = engine.appWrote(Array("HELP!\n".utf8), now: 5 * ms)
    let mismatch = try #require(
        actions.compactMap { action -> ReplayMismatch? in
            if case .mismatch(let value) = action { return value }
            return nil
        }.first)
    #expect(mismatch.stepIndex == 1)
    #expect(mismatch.streamOffset == 3)
    #expect(mismatch.offsetInStep == 3)
    #expect(mismatch.expected == Array("LO\n".utf8))
    #expect(mismatch.actual == Array("P!\n".utf8))
    #expect(mismatch.recordedOffset == 1000 * ms)
    let report = mismatch.description
    #expect(report.contains("app byte 3"))
    #expect(report.contains("4c 4f 0a"))
    #expect(report.contains("\"P!\\n\""))
    // Non-strict: the replay goes on after the mismatch.
    #expect(sent(engine.advance(now: 105 * ms)) == Array("WORLD\n".utf8))
}

@Test func writesPastTheEndAreMismatches() {
    var engine = ReplayEngine(script: ReplayScript(steps: [.send([0x41], at: 0)]), configuration: .init(match: true))
    _ = engine.start(now: 0)
    let actions = engine.appWrote([0x42], now: 1)
    #expect(actions.contains { if case .mismatch = $0 { true } else { false } })
    #expect(engine.mismatches.first?.expected == [])
}

@Test func loopRestartsTheScript() {
    var engine = ReplayEngine(
        script: ReplayScript(steps: [.send([1], at: 0), .send([2], at: 10)]), configuration: .init(loop: true))
    #expect(sent(engine.start(now: 0)) == [1])
    #expect(sent(engine.advance(now: 10)) == [2, 1])
    #expect(engine.loops == 1)
    #expect(sent(engine.advance(now: 20)) == [2, 1])
    #expect(!engine.isFinished)
}

@Test func scriptFromATraceSplitsDirectionsAndMergesWrites() throws {
    let blocks: [PcapngBlock] = [
        .sectionHeader(PcapngSectionHeader()),
        .interfaceDescription(PcapngInterface(linkType: TraceLinkType.serial, name: "dev")),
        .interfaceDescription(PcapngInterface(linkType: TraceLinkType.events, name: "events")),
        .enhancedPacket(PcapngPacket(interfaceID: 1, timestamp: 5, data: Array("dev: line 115200 8N1".utf8))),
        .enhancedPacket(PcapngPacket(interfaceID: 0, timestamp: 10, data: [1, 2], direction: .inbound)),
        .enhancedPacket(PcapngPacket(interfaceID: 0, timestamp: 11, data: [3], direction: .inbound)),
        .enhancedPacket(PcapngPacket(interfaceID: 0, timestamp: 20, data: [9], direction: .outbound)),
    ]
    let trace = TraceFile(try PcapngReader.read(blocks.flatMap(PcapngEncoder.encode)))
    let script = try ReplayScript(trace: trace)
    #expect(script.interface == "dev")
    #expect(
        script.steps == [
            .event(.lineSettings(baud: 115_200, dataBits: 8, parity: "N", stopBits: 1), at: 5),
            .expect([1, 2, 3], at: 10), .send([9], at: 20),
        ])
    #expect(throws: TraceError.self) { try ReplayScript(trace: trace, interface: "nope") }
}

// MARK: Line settings and modem events

private let line9600 = TraceEvent.lineSettings(baud: 9600, dataBits: 8, parity: "N", stopBits: 1)
private let line115200 = TraceEvent.lineSettings(baud: 115_200, dataBits: 8, parity: "N", stopBits: 1)

/// The device starts at 9600; the app opens at +100 ms, switches to 115200 at +200 ms, writes "GO\n" at
/// +300 ms and gets "FAST\n" at +400 ms; a modem event at +450 ms.
private func lineScript() -> ReplayScript {
    ReplayScript(steps: [
        .event(line9600, at: 1000 * ms),
        .event(.open, at: 1100 * ms),
        .event(line115200, at: 1200 * ms),
        .expect(Array("GO\n".utf8), at: 1300 * ms),
        .send(Array("FAST\n".utf8), at: 1400 * ms),
        .event(.modemLines(dtr: true, rts: false), at: 1450 * ms),
    ])
}

private func lineMismatches(_ actions: [ReplayEngine.Action]) -> [ReplayMismatch] {
    actions.compactMap { action -> ReplayMismatch? in
        if case .mismatch(let value) = action, case .lineSettings = value.kind { return value }
        return nil
    }
}

@Test func theDeviceSwitchesLineSettingsAtTheRecordedTime() {
    var engine = ReplayEngine(script: lineScript(), configuration: .init(speed: 2))
    #expect(engine.deviceLineSettings?.baud == 9600)
    let first = engine.start(now: 0)
    #expect(first == [.event(line9600, recordedOffset: 0)])
    // The switch to 115200 was recorded 200 ms in: at speed 2 it is due at 100 ms, not before.
    _ = engine.advance(now: 50 * ms)
    #expect(engine.deviceLineSettings?.baud == 9600)
    #expect(engine.nextDeadline == 100 * ms)
    let switched = engine.advance(now: 100 * ms)
    #expect(switched.contains(.event(line115200, recordedOffset: 200 * ms)))
    #expect(engine.deviceLineSettings == LineSettings(baud: 115_200))
    // Modem events are passed on as they are reached; they change nothing else.
    let rest = engine.advance(now: 225 * ms)
    #expect(rest.contains(.event(.modemLines(dtr: true, rts: false), recordedOffset: 450 * ms)))
    #expect(rest.last == .finished)
    #expect(engine.deviceLineSettings?.baud == 115_200)
}

@Test func matchReportsAnAppThatDidNotSetTheRecordedLineSettings() throws {
    var engine = ReplayEngine(script: lineScript(), configuration: .init(match: true, lineSettingsGrace: 50 * ms))
    engine.appSetLineSettings(LineSettings(baud: 9600))
    _ = engine.start(now: 0)
    // At the recorded open (+100 ms) the app has 9600 like the recording: checked at +150 ms, but the
    // recorded switch to 115200 (+200 ms) comes after that deadline, so the open check passes.
    #expect(lineMismatches(engine.advance(now: 150 * ms)).isEmpty)
    #expect(engine.nextDeadline == 200 * ms)
    _ = engine.advance(now: 200 * ms)
    #expect(engine.nextDeadline == 250 * ms)  // the check of the recorded switch
    #expect(lineMismatches(engine.advance(now: 249 * ms)).isEmpty)
    let reported = lineMismatches(engine.advance(now: 250 * ms))
    let mismatch = try #require(reported.first)
    #expect(reported.count == 1)
    #expect(mismatch.kind == .lineSettings(expected: LineSettings(baud: 115_200), actual: LineSettings(baud: 9600)))
    #expect(mismatch.stepIndex == 2)
    #expect(mismatch.recordedOffset == 200 * ms)
    #expect(mismatch.description.contains("expected: 115200 8N1"))
    #expect(mismatch.description.contains("actual:   9600 8N1"))
    #expect(engine.mismatches == [mismatch])
}

@Test func matchAcceptsAnAppThatSetsTheLineSettingsInTime() {
    var engine = ReplayEngine(script: lineScript(), configuration: .init(match: true, lineSettingsGrace: 50 * ms))
    engine.appSetLineSettings(LineSettings(baud: 9600))
    _ = engine.start(now: 0)
    _ = engine.advance(now: 200 * ms)
    // Later than recorded, but within the grace.
    engine.appSetLineSettings(LineSettings(baud: 115_200))
    #expect(lineMismatches(engine.advance(now: 250 * ms)).isEmpty)
    #expect(engine.appWrote(Array("GO\n".utf8), now: 300 * ms).isEmpty)
    #expect(sent(engine.advance(now: 400 * ms)) == Array("FAST\n".utf8))
    #expect(engine.advance(now: 450 * ms).last == .finished)
    #expect(engine.mismatches.isEmpty)
}

@Test func matchChecksTheAppsSettingsAtTheRecordedOpenAndIgnoresTheDevicesStartingState() {
    // The app opens at 115200 while the recorded one stayed at 9600: reported at the open's check,
    // not at the first line event (the device's state before the app opened).
    let script = ReplayScript(steps: [
        .event(line9600, at: 0), .event(.open, at: 100 * ms), .send([0x41], at: 500 * ms),
    ])
    var engine = ReplayEngine(script: script, configuration: .init(match: true, lineSettingsGrace: 50 * ms))
    engine.appSetLineSettings(LineSettings(baud: 115_200))
    #expect(lineMismatches(engine.start(now: 0)).isEmpty)
    #expect(lineMismatches(engine.advance(now: 149 * ms)).isEmpty)
    #expect(lineMismatches(engine.advance(now: 150 * ms)).count == 1)
    // Without --match nothing is checked, but the device still follows.
    var plain = ReplayEngine(script: script)
    plain.appSetLineSettings(LineSettings(baud: 115_200))
    _ = plain.start(now: 0)
    #expect(plain.advance(now: 500 * ms).last == .finished)
    #expect(plain.mismatches.isEmpty)
}

@Test func aPendingLineCheckDelaysTheEndAndIgnoresFramingWhenAsked() {
    let seven = TraceEvent.lineSettings(baud: 9600, dataBits: 7, parity: "E", stopBits: 1)
    let script = ReplayScript(steps: [.event(seven, at: 0)])  // no `open`: every line event is checked
    var engine = ReplayEngine(
        script: script, configuration: .init(match: true, lineSettingsGrace: 10 * ms, ignoresFraming: true))
    engine.appSetLineSettings(LineSettings(baud: 9600))  // what a PTY reads back: 8N1
    #expect(engine.start(now: 0).last != .finished)
    #expect(!engine.isFinished)
    #expect(engine.nextDeadline == 10 * ms)
    #expect(engine.advance(now: 10 * ms) == [.finished])
    #expect(engine.mismatches.isEmpty)
}

@Test func modemEventsAreListedByTheScript() {
    #expect(lineScript().modemEvents == [.modemLines(dtr: true, rts: false)])
    #expect(lineScript().initialLineSettings == LineSettings(baud: 9600))
}
