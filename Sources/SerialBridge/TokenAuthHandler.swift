import NIOCore

/// Raw-mode pre-shared token: the client's first line must be the token.
/// Anything else (or more than 512 bytes without a newline) closes the connection.
final class TokenAuthHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let token: [UInt8]
    private var pending: [UInt8] = []

    init(token: String) { self.token = Array(token.utf8) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        pending += buffer.readableBytesView
        guard let newline = pending.firstIndex(of: UInt8(ascii: "\n")) else {
            if pending.count > 512 { context.close(promise: nil) }
            return
        }
        var line = Array(pending[..<newline])
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard constantTimeEqual(line, token) else {
            context.close(promise: nil)
            return
        }
        let rest = Array(pending[(newline + 1)...])
        pending = []
        context.fireUserInboundEventTriggered(ExportClientHandler.Authenticated())
        if !rest.isEmpty { context.fireChannelRead(wrapInboundOut(ByteBuffer(bytes: rest))) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// Compares without an early exit, so timing does not reveal a prefix match.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(a.count == b.count ? 0 : 1)
    for i in 0..<max(a.count, b.count) {
        difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
    }
    return difference == 0
}
