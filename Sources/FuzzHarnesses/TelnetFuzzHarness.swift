import NIOCore
import NIOEmbedded
import SerialBridge

extension FuzzHarness {
    /// A client of an RFC 2217 export: the server pipeline (``TelnetCodec`` and ``ComPortOption``)
    /// with a device stand-in, fed the input in chunks whose sizes the input's first byte chooses.
    ///
    /// Bounds checked: the parser keeps at most its subnegotiation limit, and the server's
    /// answers stay within a fixed multiple of what the peer sent (no amplification loops).
    public static let telnet = FuzzHarness(
        name: "telnet", summary: "telnet and RFC 2217 server side (TelnetCodec, ComPortOption)"
    ) { bytes in
        guard let first = bytes.first else { return }
        let chunk = Int(first % 32) + 1
        let channel = EmbeddedChannel()
        let codec = TelnetCodec.server(comPort: true)
        let maxSubnegotiation = 256
        do {
            try channel.pipeline.syncOperations.addHandlers(codec, ComPortOption(target: ShadowComPortTarget()))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        } catch {
            preconditionFailure("the pipeline could not be set up: \(error)")
        }
        var answered = 0
        var offset = 1
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            _ = try? channel.writeInbound(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
            while (try? channel.readInbound(as: ByteBuffer.self)) ?? nil != nil {}
            while let answer = (try? channel.readOutbound(as: ByteBuffer.self)) ?? nil {
                answered += answer.readableBytes
            }
            // A device-side event now and then, as a live device sends them.
            channel.pipeline.triggerUserOutboundEvent(
                ComPortOption.ModemLinesChanged(lines: bytes[end - 1] & 0xF0), promise: nil)
            precondition(codec.bufferedSubnegotiationBytes <= maxSubnegotiation, "the parser buffers without bound")
        }
        while let answer = (try? channel.readOutbound(as: ByteBuffer.self)) ?? nil { answered += answer.readableBytes }
        // Each input byte can earn a bounded answer (a 6-byte SIGNATURE query gets the signature back).
        precondition(answered <= 64 + 8 * bytes.count, "answered \(answered) bytes to \(bytes.count)")
        _ = try? channel.finish()
    }
}

/// A device for the harness: keeps what it is told, as a PTY would, and answers at once.
final class ShadowComPortTarget: ComPortTarget {
    private var baud: UInt32 = 9600
    private var control: [UInt8] = [1, 6, 8, 11, 14]  // flow, BREAK, DTR, RTS, inbound flow

    func comPortSetBaud(_ baud: UInt32?) -> UInt32 {
        if let baud, baud <= 4_000_000 { self.baud = baud }
        return self.baud
    }
    func comPortSetDataSize(_ size: UInt8?) -> UInt8 { 8 }
    func comPortSetParity(_ parity: UInt8?) -> UInt8 { 1 }
    func comPortSetStopSize(_ size: UInt8?) -> UInt8 { 1 }
    func comPortControl(_ value: UInt8) -> UInt8 {
        let groups: [ClosedRange<UInt8>] = [0...3, 4...6, 7...9, 10...12, 13...16]
        guard let group = groups.firstIndex(where: { $0.contains(value) }) else { return value }
        if value != groups[group].lowerBound { control[group] = value }
        return control[group]
    }
    func comPortPurge(_ value: UInt8) {}
    func comPortModemLines() -> UInt8 { 0x30 }
}
