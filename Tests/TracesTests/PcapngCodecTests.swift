import Testing

@testable import Traces

/// A small devbridge-like file: header, two interfaces, data both ways, an event.
func sampleBlocks() -> [PcapngBlock] {
    [
        .sectionHeader(PcapngSectionHeader(options: [PcapngOption(code: PcapngOption.userApplication, text: "test")])),
        .interfaceDescription(PcapngInterface(linkType: TraceLinkType.serial, name: "/dev/ttyUSB0")),
        .interfaceDescription(PcapngInterface(linkType: TraceLinkType.events, name: "events")),
        .enhancedPacket(
            PcapngPacket(
                interfaceID: 0, timestamp: 1_700_000_000_123_456_789, data: Array("ping\n".utf8), direction: .inbound)),
        .enhancedPacket(
            PcapngPacket(
                interfaceID: 0, timestamp: 1_700_000_000_223_456_789, data: [0x00, 0xFF, 0x41], direction: .outbound)),
        .enhancedPacket(
            PcapngPacket(
                interfaceID: 1, timestamp: 1_700_000_000_323_456_789, data: Array("/dev/ttyUSB0: line 115200 8N1".utf8),
                comment: "/dev/ttyUSB0: line 115200 8N1")),
    ]
}

func encodeAll(_ blocks: [PcapngBlock]) -> [UInt8] { blocks.flatMap(PcapngEncoder.encode) }

@Test func roundTripKeepsEveryField() throws {
    let blocks = sampleBlocks()
    let bytes = encodeAll(blocks)
    #expect(bytes.count % 4 == 0)
    let result = try PcapngReader.read(bytes)
    #expect(result.warning == nil)
    #expect(result.blocks == blocks)
    #expect(result.validLength == bytes.count)
}

@Test func encoderWritesTheSpecifiedLayout() throws {
    let bytes = PcapngEncoder.encode(
        .enhancedPacket(PcapngPacket(interfaceID: 0, timestamp: 0x1_0000_0002, data: [0x41], direction: .outbound)))
    // type 6, total length, iface 0, ts high 1, ts low 2, caplen 1, origlen 1, data padded, epb_flags=2, end, length.
    let expected: [UInt8] =
        [6, 0, 0, 0, 48, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0x41, 0, 0, 0]
        + [2, 0, 4, 0, 2, 0, 0, 0, 0, 0, 0, 0, 48, 0, 0, 0]
    #expect(bytes == expected)
}

@Test func truncationAtEveryOffsetGivesWholeBlocksAndAWarning() throws {
    let blocks = sampleBlocks()
    let bytes = encodeAll(blocks)
    var boundaries: [Int] = [0]
    for block in blocks { boundaries.append(boundaries.last! + PcapngEncoder.encode(block).count) }
    for cut in 0..<bytes.count {
        let result = try PcapngReader.read(Array(bytes[0..<cut]), path: "cut.pcapng")
        let whole = boundaries.lastIndex { $0 <= cut }!
        #expect(result.blocks == Array(blocks[0..<whole]), "cut at \(cut)")
        if boundaries.contains(cut) && cut > 0 {
            #expect(result.warning == nil, "cut at block boundary \(cut)")
        } else {
            let warning = try #require(result.warning, "cut at \(cut)")
            #expect(warning.contains("truncated"))
        }
    }
}

@Test func corruptHeaderIsAClearError() {
    var bytes = encodeAll(sampleBlocks())
    bytes[8] ^= 0xFF  // byte-order magic
    #expect(throws: TraceError.self) { try PcapngReader.read(bytes) }
    do {
        _ = try PcapngReader.read(bytes, path: "bad.pcapng")
        Issue.record("no error")
    } catch {
        #expect(error.code == .corruptHeader)
        #expect(error.description.contains("bad.pcapng"))
    }
    let text = Array("hello, this is not a capture file".utf8)
    do {
        _ = try PcapngReader.read(text)
        Issue.record("no error")
    } catch {
        #expect(error.code == .notPcapng)
    }
    var badLength = encodeAll(sampleBlocks())
    badLength[4] = 7  // SHB length not a multiple of 4
    do {
        _ = try PcapngReader.read(badLength)
        Issue.record("no error")
    } catch {
        #expect(error.code == .corruptHeader)
    }
}

@Test func damagedLaterBlockStopsWithAWarning() throws {
    let blocks = sampleBlocks()
    var bytes = encodeAll(blocks)
    let offset = blocks[0..<4].map { PcapngEncoder.encode($0).count }.reduce(0, +)
    bytes[offset + 4] = 0xFF  // total length of the 5th block no longer matches its trailer
    let result = try PcapngReader.read(bytes)
    #expect(result.blocks == Array(blocks[0..<4]))
    #expect(result.warning?.contains("damaged") == true)
}

@Test func bigEndianFilesAreRead() throws {
    // SHB, IDB (linktype 147, no options), EPB with epb_flags = inbound, all big-endian.
    func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    func be16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    var bytes =
        be32(0x0A0D_0D0A) + be32(28) + be32(0x1A2B_3C4D) + be16(1) + be16(0) + [UInt8](repeating: 0xFF, count: 8)
        + be32(28)
    bytes += be32(1) + be32(20) + be16(147) + be16(0) + be32(0) + be32(20)
    bytes += be32(6) + be32(48) + be32(0) + be32(0) + be32(5) + be32(2) + be32(2) + [0x68, 0x69, 0, 0]
    bytes += be16(2) + be16(4) + be32(1) + [0, 0, 0, 0] + be32(48)
    let trace = TraceFile(try PcapngReader.read(bytes))
    #expect(trace.records.count == 1)
    #expect(trace.records.first?.direction == .inbound)
    #expect(trace.records.first?.data == Array("hi".utf8))
    // No if_tsresol: microseconds, converted to ns.
    #expect(trace.records.first?.timestamp == 5_000)
}

@Test func eventTextRoundTrips() {
    let events: [TraceEvent] = [
        .open, .close, .hangup, .reset, .breakSignal,
        .lineSettings(baud: 250_000, dataBits: 7, parity: "E", stopBits: 2),
        .modemLines(dtr: true, rts: false), .note("free text: here"),
    ]
    for event in events {
        #expect(TraceEvent(text: event.description) == event)
        let parsed = TraceEvent.parse(payload: Array(event.payload(interface: "/dev/pts/3").utf8))
        #expect(parsed.interface == "/dev/pts/3")
        #expect(parsed.event == event)
    }
}
