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
    /// True while ``channelRead(context:data:)`` runs; input arriving meanwhile waits in `queuedInput`.
    private var reading = false
    private var queuedInput = CircularBuffer<ByteBuffer>()

    /// Subnegotiations dropped (too long or truncated).
    public var discardedSubnegotiations: Int { parser.discardedSubnegotiations }
    /// Bytes held for an unfinished subnegotiation (never above the codec's bound).
    public var bufferedSubnegotiationBytes: Int { parser.bufferedBytes }

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
        let input = unwrapInboundIn(data)
        guard !reading else {
            // Re-entered from further down the pipeline while delivering (a flush can do that):
            // this input is parsed after the current one, in order.
            queuedInput.append(input)
            return
        }
        reading = true
        defer { reading = false }
        parse(context: context, input)
        while let next = queuedInput.popFirst() { parse(context: context, next) }
    }

    /// Parses one input buffer and delivers what it holds. The parser is never mutated while
    /// code further down the pipeline runs: each event is complete before it is acted on.
    private func parse(context: ChannelHandlerContext, _ input: ByteBuffer) {
        var rest = input
        var batch = Batch()
        while let event = parser.next(&rest) {
            switch event {
            case .data(let bytes):
                batch.data.append(bytes, input: input)
            case .negotiation(let verb, let option):
                let wasLocal = negotiator.isLocalEnabled(option)
                let wasRemote = negotiator.isRemoteEnabled(option)
                if let reply = negotiator.receive(verb: verb, option: option) {
                    batch.replies.append(contentsOf: [Telnet.iac, reply.verb, reply.option])
                }
                if !wasLocal, negotiator.isLocalEnabled(option) {
                    batch.enabled.append(.init(option: option, local: true))
                }
                if !wasRemote, negotiator.isRemoteEnabled(option) {
                    batch.enabled.append(.init(option: option, local: false))
                }
            case .subnegotiation, .command:
                deliver(context: context, &batch, flush: false)
                context.fireChannelRead(wrapInboundOut(event))
            }
        }
        deliver(context: context, &batch, flush: true)
    }

    /// Sends what a stretch of input produced, in order: its data onward, then negotiation
    /// replies to the peer, then ``OptionEnabled`` events.
    private func deliver(context: ChannelHandlerContext, _ batch: inout Batch, flush: Bool) {
        if let data = batch.data.take() { context.fireChannelRead(wrapInboundOut(.data(data))) }
        if !batch.replies.isEmpty {
            let replies = context.channel.allocator.buffer(bytes: batch.replies)
            batch.replies.removeAll()
            if flush {
                context.writeAndFlush(wrapOutboundOut(replies), promise: nil)
            } else {
                context.write(wrapOutboundOut(replies), promise: nil)
            }
        }
        let enabled = batch.enabled
        batch.enabled.removeAll()
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

extension TelnetCodec {
    /// What one stretch of input produced, delivered together by `deliver`.
    fileprivate struct Batch {
        var data = DataRun()
        var replies: [UInt8] = []
        var enabled: [OptionEnabled] = []
    }

    /// Consecutive data events joined into one buffer, so the device gets one write per read
    /// whatever the IAC density (a flood of escaped IACs must not become a queue of one-byte writes).
    ///
    /// A data event that is the whole input is passed on as it is (the common case: no copy).
    /// Anything else is copied into a compact buffer: a small slice kept in a slow device's
    /// write queue would otherwise pin the whole receive buffer it came from.
    fileprivate struct DataRun {
        private var buffer: ByteBuffer?

        mutating func append(_ bytes: ByteBuffer, input: ByteBuffer) {
            if buffer == nil, bytes.readableBytes == input.readableBytes {
                buffer = bytes
            } else if buffer == nil {
                buffer = ByteBuffer(bytes: bytes.readableBytesView)
            } else {
                buffer!.writeImmutableBuffer(bytes)
            }
        }

        mutating func take() -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }
}
