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
