import NIOCore
import NIOEmbedded
import Testing

@testable import SerialBridge

@Suite struct TelnetCodecTests {
    /// Collects what the codec passes on; on its first data it can re-enter the pipeline, as NIO
    /// does when a flush inside a read closes or reads the channel.
    final class Recorder: ChannelInboundHandler {
        typealias InboundIn = TelnetEvent
        var events: [TelnetEvent] = []
        var reenterWith: ByteBuffer?

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            events.append(unwrapInboundIn(data))
            if let bytes = reenterWith {
                reenterWith = nil
                context.flush()
                context.pipeline.syncOperations.fireChannelRead(NIOAny(bytes))
            }
        }
    }

    func makeChannel(_ recorder: Recorder) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(TelnetCodec.server(comPort: true), recorder)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        while try channel.readOutbound(as: ByteBuffer.self) != nil {}  // the initial requests
        return channel
    }

    /// The wave-1 crash: a read re-entered from further down the pipeline while the codec was
    /// still parsing aborted the process ("Simultaneous accesses"). Now the second input waits
    /// for the first to be delivered, and both arrive whole and in order.
    @Test func reentrantReadIsParsedAfterTheCurrentOneInOrder() throws {
        let recorder = Recorder()
        recorder.reenterWith = ByteBuffer(bytes: [67, 255, 241, 68])  // "C" NOP "D"
        let channel = try makeChannel(recorder)
        try channel.writeInbound(ByteBuffer(bytes: [65, 255, 241, 66]))  // "A" NOP "B"
        #expect(
            recorder.events == [
                .data(ByteBuffer(bytes: [65])), .command(241), .data(ByteBuffer(bytes: [66])),
                .data(ByteBuffer(bytes: [67])), .command(241), .data(ByteBuffer(bytes: [68])),
            ])
    }

    /// Data around escaped IACs and negotiations reaches the device as one write, not one per piece
    /// (a flood of IAC IAC used to become a queue of one-byte writes).
    @Test func dataAroundEscapesAndNegotiationsIsOneBuffer() throws {
        let recorder = Recorder()
        let channel = try makeChannel(recorder)
        var input: [UInt8] = [1]
        for _ in 0..<100 { input += [255, 255, 2] }
        input += [255, 251, 3, 9]  // WILL SGA in the middle of the data
        try channel.writeInbound(ByteBuffer(bytes: input))
        var expected: [UInt8] = [1]
        for _ in 0..<100 { expected += [255, 2] }
        expected.append(9)
        #expect(recorder.events == [.data(ByteBuffer(bytes: expected))])
        var replies: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { replies += buffer.readableBytesView }
        #expect(replies == [255, 253, 3])  // DO SGA
    }

    /// Data that is a small part of a large read is copied, so it does not keep the whole read alive
    /// in a slow device's write queue; data that is the whole read is passed on without a copy.
    @Test func smallDataIsCompactedAndWholeReadsAreNotCopied() throws {
        let recorder = Recorder()
        let channel = try makeChannel(recorder)
        var large = ByteBuffer(bytes: [7, 255, 250, 99])  // "7" then a subnegotiation that goes on
        large.writeRepeatingByte(1, count: 60_000)
        try channel.writeInbound(large)
        guard case .data(let small) = recorder.events.first else {
            Issue.record("no data: \(recorder.events)")
            return
        }
        #expect(small == ByteBuffer(bytes: [7]))
        #expect(small.storageCapacity < 1024)
        try channel.writeInbound(ByteBuffer(bytes: [255, 240]))  // end the subnegotiation

        let whole = ByteBuffer(repeating: 5, count: 4096)
        try channel.writeInbound(whole)
        guard case .data(let passed) = recorder.events.last else {
            Issue.record("no data: \(recorder.events)")
            return
        }
        passed.withUnsafeReadableBytes { passedBytes in
            whole.withUnsafeReadableBytes { wholeBytes in
                #expect(passedBytes.baseAddress == wholeBytes.baseAddress)
            }
        }
    }
}
