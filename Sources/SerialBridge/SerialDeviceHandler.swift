import NIOCore

/// Reads device bytes into the device object and reports hangups.
final class SerialDeviceHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    unowned let device: SerialDevice

    init(_ device: SerialDevice) { self.device = device }

    func handlerAdded(context: ChannelHandlerContext) {
        device.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        device.received(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        device.readComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        device.hungUp()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        device.writabilityChanged(context.channel.isWritable)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
