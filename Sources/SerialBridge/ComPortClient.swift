import NIOCore
import SerialIO

/// RFC 2217 client side (used by `attach`), placed after ``TelnetCodec``:
/// data passes through; ``ComPortClient/Apply`` user outbound events become
/// SET-* commands; server acknowledgements are recorded.
public final class ComPortClient: ChannelDuplexHandler {
    public typealias InboundIn = TelnetEvent
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = TelnetEvent

    /// User outbound event: send these line settings (and optionally DTR/RTS) to the server.
    public struct Apply: Sendable, Equatable {
        /// Baud, data bits, parity, stop bits.
        public var lineSettings: LineSettings?
        /// DTR level, if it should change.
        public var dtr: Bool?
        /// RTS level, if it should change.
        public var rts: Bool?
        /// Creates the event.
        public init(lineSettings: LineSettings? = nil, dtr: Bool? = nil, rts: Bool? = nil) {
            self.lineSettings = lineSettings
            self.dtr = dtr
            self.rts = rts
        }
    }

    /// Called with each acknowledgement (server command code, value).
    private let onAcknowledge: @Sendable (UInt8, [UInt8]) -> Void

    /// Creates the handler.
    public init(onAcknowledge: @escaping @Sendable (UInt8, [UInt8]) -> Void = { _, _ in }) {
        self.onAcknowledge = onAcknowledge
    }

    /// The SET-* subnegotiations for `apply`, in order.
    public static func commands(for apply: Apply) -> [[UInt8]] {
        var out: [[UInt8]] = []
        if let s = apply.lineSettings {
            let baud = UInt32(clamping: s.baud)
            out.append([
                ComPortCommand.setBaudRate, UInt8(baud >> 24 & 0xFF), UInt8(baud >> 16 & 0xFF),
                UInt8(baud >> 8 & 0xFF), UInt8(baud & 0xFF),
            ])
            out.append([ComPortCommand.setDataSize, UInt8(clamping: s.dataBits)])
            let parity: UInt8 =
                switch s.parity {
                case .none: 1
                case .odd: 2
                case .even: 3
                case .mark: 4
                case .space: 5
                }
            out.append([ComPortCommand.setParity, parity])
            out.append([ComPortCommand.setStopSize, UInt8(s.stopBits.rawValue)])
        }
        if let dtr = apply.dtr { out.append([ComPortCommand.setControl, dtr ? 8 : 9]) }
        if let rts = apply.rts { out.append([ComPortCommand.setControl, rts ? 11 : 12]) }
        return out
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .data(let buffer):
            context.fireChannelRead(wrapInboundOut(buffer))
        case .subnegotiation(let option, let payload):
            if option == Telnet.optionComPort, let code = payload.first {
                onAcknowledge(code, Array(payload.dropFirst()))
            }
        default:
            break
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(wrapOutboundOut(.data(unwrapOutboundIn(data))), promise: promise)
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let apply = event as? Apply else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        for command in Self.commands(for: apply) {
            context.write(
                wrapOutboundOut(.subnegotiation(option: Telnet.optionComPort, payload: command)), promise: nil)
        }
        context.flush()
        promise?.succeed(())
    }

    /// The client-side telnet setup: asks for BINARY, SGA and COM-PORT both ways.
    public static func telnetCodec() -> TelnetCodec {
        let options: Set<UInt8> = [Telnet.optionBinary, Telnet.optionSuppressGoAhead, Telnet.optionComPort]
        return TelnetCodec(
            localSupported: options, remoteSupported: options,
            initialRequests: [
                (true, Telnet.optionComPort), (false, Telnet.optionComPort),
                (true, Telnet.optionBinary), (false, Telnet.optionBinary),
                (false, Telnet.optionSuppressGoAhead),
            ])
    }
}
