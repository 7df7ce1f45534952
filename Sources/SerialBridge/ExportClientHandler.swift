import NIOCore

/// Last handler of a client pipeline: connects the client to the hub.
final class ExportClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// User inbound event fired by ``TokenAuthHandler`` once the token checked out.
    struct Authenticated {}

    let hub: ExportHub
    let needsAuthentication: Bool
    private var registered = false

    init(hub: ExportHub, needsAuthentication: Bool) {
        self.hub = hub
        self.needsAuthentication = needsAuthentication
    }

    func channelActive(context: ChannelHandlerContext) {
        if !needsAuthentication { register(context: context) }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Authenticated {
            register(context: context)
        } else if let flow = event as? ComPortOption.FlowControlRequest {
            hub.setSuspended(flow.suspend, channel: context.channel)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func register(context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        if !hub.add(context) { context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        hub.clientData(unwrapInboundIn(data), from: context.channel)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        hub.clientReadComplete()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        hub.writabilityChanged(context.channel)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        hub.remove(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
