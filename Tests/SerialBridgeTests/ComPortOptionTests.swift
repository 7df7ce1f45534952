import NIOCore
import NIOEmbedded
import SerialIO
import Testing

@testable import SerialBridge

@Suite struct ComPortOptionTests {
    /// A server pipeline as the export builds it, with its initial requests read off.
    func makeChannel(_ target: FakeComPortTarget) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            TelnetCodec.server(comPort: true), ComPortOption(target: target))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        _ = try outbound(channel)  // WILL BINARY, DO BINARY, WILL SGA
        return channel
    }

    func outbound(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
        return bytes
    }

    func send(_ channel: EmbeddedChannel, _ bytes: [UInt8]) throws {
        try channel.writeInbound(ByteBuffer(bytes: bytes))
    }

    func sb(_ payload: [UInt8]) -> [UInt8] { [255, 250, 44] + payload + [255, 240] }

    /// Opens the COM-PORT option the way pyserial does and returns what came back.
    func pyserialOpen(_ channel: EmbeddedChannel) throws -> [UInt8] {
        try send(channel, [255, 253, 1, 255, 251, 3, 255, 253, 3, 255, 253, 44, 255, 251, 44])
        return try outbound(channel)
    }

    @Test func pyserialNegotiationIsAcceptedWithoutLoops() throws {
        let target = FakeComPortTarget()
        target.lines = 0x30
        let channel = try makeChannel(target)
        let reply = try pyserialOpen(channel)
        // WONT ECHO, DO SGA, WILL 44, DO 44, then the initial modem state (CTS+DSR).
        #expect(reply == [255, 252, 1, 255, 253, 3, 255, 251, 44, 255, 253, 44] + sb([107, 0x30]))
        // Repeating the same requests changes nothing and gets no answer.
        try send(channel, [255, 253, 1, 255, 251, 3, 255, 253, 44, 255, 251, 44, 255, 251, 99, 255, 251, 99])
        #expect(try outbound(channel) == [255, 254, 99])
    }

    @Test func settingsAreAcknowledgedWithValueInForce() throws {
        let target = FakeComPortTarget()
        let channel = try makeChannel(target)
        _ = try pyserialOpen(channel)
        try send(channel, sb([1, 0, 1, 0xC2, 0]))  // 115200
        #expect(try outbound(channel) == sb([101, 0, 1, 0xC2, 0]))
        #expect(target.baud == 115_200)
        try send(channel, sb([1, 0, 0, 0, 0]))  // query
        #expect(try outbound(channel) == sb([101, 0, 1, 0xC2, 0]))
        try send(channel, sb([2, 7]))  // 7 data bits on a "PTY": 8 in force
        #expect(try outbound(channel) == sb([102, 8]))
        try send(channel, sb([3, 3]))  // even parity: none in force
        #expect(try outbound(channel) == sb([103, 1]))
        try send(channel, sb([4, 2]))
        #expect(try outbound(channel) == sb([104, 2]))
    }

    @Test func controlBreakPurgeAndMasksAreAllAcknowledged() throws {
        let target = FakeComPortTarget()
        let channel = try makeChannel(target)
        _ = try pyserialOpen(channel)
        try send(channel, sb([5, 1]) + sb([5, 9]) + sb([5, 12]) + sb([5, 5]) + sb([5, 6]) + sb([5, 7]))
        #expect(
            try outbound(channel) == sb([105, 1]) + sb([105, 9]) + sb([105, 12]) + sb([105, 5]) + sb([105, 6])
                + sb([105, 9]))
        #expect(!target.dtr && !target.rts && !target.breakOn)
        try send(channel, sb([12, 1]) + sb([12, 2]) + sb([12, 3]))
        #expect(try outbound(channel) == sb([112, 1]) + sb([112, 2]) + sb([112, 3]))
        #expect(target.purges == [1, 2, 3])
        try send(channel, sb([10, 0x10]) + sb([11, 0x33]))
        #expect(try outbound(channel) == sb([110, 0x10]) + sb([111, 0x33]))
        try send(channel, sb([0]))
        #expect(try outbound(channel) == sb([100] + Array("devbridge".utf8)))
    }

    @Test func modemChangesAreNotifiedThroughTheMask() throws {
        let target = FakeComPortTarget()
        let channel = try makeChannel(target)
        _ = try pyserialOpen(channel)
        try send(channel, sb([11, 0x11]))  // CTS and delta CTS only
        _ = try outbound(channel)
        try channel.triggerUserOutboundEvent(ComPortOption.ModemLinesChanged(lines: 0x20)).wait()  // DSR: masked
        #expect(try outbound(channel) == [])
        try channel.triggerUserOutboundEvent(ComPortOption.ModemLinesChanged(lines: 0x30)).wait()  // CTS rises
        #expect(try outbound(channel) == sb([107, 0x11]))
        target.lines = 0x30
        try send(channel, sb([7]))  // pyserial's poll
        #expect(try outbound(channel) == sb([107, 0x10]))
    }

    @Test func dataIsUnescapedInboundAndEscapedOutbound() throws {
        let channel = try makeChannel(FakeComPortTarget())
        _ = try pyserialOpen(channel)
        try send(channel, [1, 255, 255, 2])
        var inbound: [UInt8] = []
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { inbound += buffer.readableBytesView }
        #expect(inbound == [1, 255, 2])
        try channel.writeOutbound(ByteBuffer(bytes: [255, 3]))
        #expect(try outbound(channel) == [255, 255, 3])
    }

    @Test func malformedInputNeverCrashesOrGrows() throws {
        let target = FakeComPortTarget()
        let channel = try makeChannel(target)
        _ = try pyserialOpen(channel)
        // Short SET-BAUDRATE, empty SB, unknown command, SB for an unknown option,
        // and a truncated SB followed by data.
        try send(channel, sb([1, 0]) + [255, 250, 44, 255, 240] + sb([99, 1]) + [255, 250, 77, 1, 255, 240])
        #expect(try outbound(channel) == sb([101, 0, 0, 0x25, 0x80]))
        try send(channel, [255, 250, 44, 1, 0, 0, 65])
        try send(channel, [255, 241])  // IAC NOP aborts the truncated SB
        // An endless subnegotiation: a megabyte without IAC SE.
        try send(channel, [255, 250, 44])
        for _ in 0..<256 { try send(channel, [UInt8](repeating: 1, count: 4096)) }
        let codec = try channel.pipeline.syncOperations.handler(type: TelnetCodec.self)
        #expect(codec.discardedSubnegotiations >= 1)
        #expect(target.baud == 9600)
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        // Ending it lets data flow again.
        try send(channel, [255, 240, 88])
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [88]))
    }

    @Test func comPortCommandsBeforeNegotiationAreIgnored() throws {
        let target = FakeComPortTarget()
        let channel = try makeChannel(target)
        try send(channel, sb([1, 0, 0, 0x4B, 0]))
        #expect(try outbound(channel) == [])
        #expect(target.baud == 9600)
    }

    @Test func lineErrorsAreReportedThroughTheLineStateMask() throws {
        let target = FakeComPortTarget()
        let channel = try makeChannel(target)
        _ = try pyserialOpen(channel)
        // pyserial's default mask is 0: errors are not reported.
        try send(channel, sb([10, 0]))
        #expect(try outbound(channel) == sb([110, 0]))
        try channel.triggerUserOutboundEvent(ComPortOption.LineErrorsDetected(bits: 0x08)).wait()
        #expect(try outbound(channel) == [])
        // Framing and parity asked for: a framing error is reported with the registers-empty bits masked off.
        try send(channel, sb([10, 0x0C]))
        #expect(try outbound(channel) == sb([110, 0x0C]))
        try channel.triggerUserOutboundEvent(ComPortOption.LineErrorsDetected(bits: 0x08 | 0x02)).wait()
        #expect(try outbound(channel) == sb([106, 0x08]))
        try channel.triggerUserOutboundEvent(ComPortOption.LineErrorsDetected(bits: 0x10)).wait()  // BREAK: masked
        #expect(try outbound(channel) == [])
        try send(channel, sb([10, 0x7F]))
        _ = try outbound(channel)
        try channel.triggerUserOutboundEvent(ComPortOption.LineErrorsDetected(bits: 0x10)).wait()
        #expect(try outbound(channel) == sb([106, 0x70]))
    }

    @Test func lineStateTrackerReportsWhatEachCounterGained() {
        var tracker = LineStateTracker(counts: LineErrorCounts(framing: 3, overrun: 1))
        #expect(tracker.update(LineErrorCounts(framing: 3, overrun: 1)) == 0)  // earlier errors are not news
        #expect(tracker.update(LineErrorCounts(framing: 4, overrun: 1, parity: 2)) == 0x08 | 0x04)
        #expect(tracker.update(LineErrorCounts(framing: 4, overrun: 1, parity: 2, bufferOverrun: 7)) == 0x02)
        #expect(tracker.update(LineErrorCounts(framing: 4, overrun: 2, parity: 2, breaks: 1, bufferOverrun: 7)) == 0x12)
        #expect(tracker.update(LineErrorCounts(framing: 4, overrun: 2, parity: 2, breaks: 1, bufferOverrun: 7)) == 0)
    }
}
