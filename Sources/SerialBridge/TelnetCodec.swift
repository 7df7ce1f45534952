import NIOCore

/// Telnet framing for one connection, as a NIO duplex handler.
///
/// Inbound: bytes → ``TelnetEvent``s (data, subnegotiations, commands);
/// option negotiation is answered here by a ``TelnetOptionNegotiator`` and not
/// forwarded. Outbound: ``TelnetEvent``s → bytes (data has IAC doubled).
/// When an option becomes enabled it fires ``TelnetCodec/OptionEnabled``.
public final class TelnetCodec: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = TelnetEvent
    public typealias OutboundIn = TelnetEvent
    public typealias OutboundOut = ByteBuffer

    /// User inbound event: an option became enabled on one side.
    public struct OptionEnabled: Sendable, Equatable {
        /// The option.
        public var option: UInt8
        /// True for our side (we sent or confirmed WILL), false for the peer's.
        public var local: Bool
    }

    private var parser: TelnetParser
    private var negotiator: TelnetOptionNegotiator
    private let initialRequests: [(local: Bool, option: UInt8)]

    /// Subnegotiations dropped (too long or truncated).
    public var discardedSubnegotiations: Int { parser.discardedSubnegotiations }

    /// Creates a codec.
    /// - Parameters:
    ///   - localSupported: options we agree to enable on our side.
    ///   - remoteSupported: options we let the peer enable.
    ///   - initialRequests: options we ask for when the channel becomes active.
    ///   - maxSubnegotiation: subnegotiation payload bound.
    public init(
        localSupported: Set<UInt8>, remoteSupported: Set<UInt8>,
        initialRequests: [(local: Bool, option: UInt8)] = [], maxSubnegotiation: Int = 256
    ) {
        parser = TelnetParser(maxSubnegotiation: maxSubnegotiation)
        negotiator = TelnetOptionNegotiator(localSupported: localSupported, remoteSupported: remoteSupported)
        self.initialRequests = initialRequests
    }

    /// The usual server-side setup: BINARY and SGA both ways, plus COM-PORT (44) when `comPort`.
    public static func server(comPort: Bool) -> TelnetCodec {
        var options: Set<UInt8> = [Telnet.optionBinary, Telnet.optionSuppressGoAhead]
        if comPort { options.insert(Telnet.optionComPort) }
        return TelnetCodec(
            localSupported: options, remoteSupported: options,
            initialRequests: [
                (true, Telnet.optionBinary), (false, Telnet.optionBinary),
                (true, Telnet.optionSuppressGoAhead),
            ])
    }

    public func channelActive(context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: 3 * initialRequests.count)
        for request in initialRequests {
            let reply =
                request.local
                ? negotiator.request(local: request.option, enable: true)
                : negotiator.request(remote: request.option, enable: true)
            if let reply { out.writeBytes([Telnet.iac, reply.verb, reply.option]) }
        }
        if out.readableBytes > 0 { context.writeAndFlush(wrapOutboundOut(out), promise: nil) }
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var replies: ByteBuffer?
        var enabled: [OptionEnabled] = []
        parser.parse(buffer) { event in
            switch event {
            case .negotiation(let verb, let option):
                let wasLocal = negotiator.isLocalEnabled(option)
                let wasRemote = negotiator.isRemoteEnabled(option)
                if let reply = negotiator.receive(verb: verb, option: option) {
                    if replies == nil { replies = context.channel.allocator.buffer(capacity: 12) }
                    replies!.writeBytes([Telnet.iac, reply.verb, reply.option])
                }
                if !wasLocal, negotiator.isLocalEnabled(option) { enabled.append(.init(option: option, local: true)) }
                if !wasRemote, negotiator.isRemoteEnabled(option) {
                    enabled.append(.init(option: option, local: false))
                }
            default:
                // Flush negotiation replies first so replies keep their order.
                if let pending = replies {
                    context.write(wrapOutboundOut(pending), promise: nil)
                    replies = nil
                }
                for event in enabled { context.fireUserInboundEventTriggered(event) }
                enabled.removeAll()
                context.fireChannelRead(wrapInboundOut(event))
            }
        }
        if let pending = replies { context.writeAndFlush(wrapOutboundOut(pending), promise: nil) }
        for event in enabled { context.fireUserInboundEventTriggered(event) }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let event = unwrapOutboundIn(data)
        switch event {
        case .data(let buffer):
            if buffer.readableBytesView.firstIndex(of: Telnet.iac) == nil {
                context.write(wrapOutboundOut(buffer), promise: promise)
            } else {
                var out = context.channel.allocator.buffer(capacity: buffer.readableBytes + 16)
                out.writeTelnetEscaped(buffer)
                context.write(wrapOutboundOut(out), promise: promise)
            }
        case .negotiation(let verb, let option):
            context.write(wrapOutboundOut(ByteBuffer(bytes: [Telnet.iac, verb, option])), promise: promise)
        case .subnegotiation(let option, let payload):
            var out = context.channel.allocator.buffer(capacity: payload.count + 8)
            out.writeBytes([Telnet.iac, Telnet.sb, option])
            out.writeTelnetEscaped(ByteBuffer(bytes: payload))
            out.writeBytes([Telnet.iac, Telnet.se])
            context.write(wrapOutboundOut(out), promise: promise)
        case .command(let byte):
            context.write(wrapOutboundOut(ByteBuffer(bytes: [Telnet.iac, byte])), promise: promise)
        }
    }
}
