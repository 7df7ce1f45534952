import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SerialIO
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The guest side of a bridge: a local PTY (at `link`) bound to a remote
/// export or a local byte-stream device.
///
/// - Bytes flow both ways between the PTY and the connection.
/// - Over `rfc2217://`, serial settings the application makes on the PTY
///   (baud, data bits, parity, stop bits, seen through termios polling) are
///   sent as SET-* commands, and so is DTR/RTS where a PTY shows it: the
///   first open raises DTR and RTS, the last close lowers them (as HUPCL
///   does on a real port). The current settings are also sent on every
///   (re)connect.
/// - When the connection drops it reconnects with exponential backoff
///   (`initialBackoff` doubling up to `maxBackoff`); the PTY stays in place
///   and the app's bytes written meanwhile are dropped and counted.
public final class AttachClient: Sendable {
    /// Options of an attach.
    public struct Options: Sendable {
        /// First reconnect delay.
        public var initialBackoff: Duration
        /// Longest reconnect delay.
        public var maxBackoff: Duration
        /// Forward PTY open/close as DTR/RTS on/off (rfc2217 only).
        public var modemLinesFollowOpen: Bool
        /// TLS client context (see ``ExportTLS/clientContext(ca:certificate:key:)``); nil for plain TCP.
        public var tls: NIOSSLContext?
        /// Creates options.
        public init(
            initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5),
            modemLinesFollowOpen: Bool = true, tls: NIOSSLContext? = nil
        ) {
            self.tls = tls
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.modemLinesFollowOpen = modemLinesFollowOpen
        }
    }

    /// Where it connects.
    public let url: AttachURL
    /// The local PTY.
    public let endpoint: PseudoTerminalEndpoint
    private let options: Options
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = Mutex<State>(State())

    struct State {
        var channel: (any Channel)?
        var connections = 0
        var droppedWhileDisconnected = 0
    }

    /// Opens the PTY at `link` (9600 8N1, raw) without connecting yet; call ``run()``.
    public init(
        url: AttachURL, link: String, options: Options = Options(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "devbridge.attach")
    ) async throws {
        self.url = url
        self.options = options
        self.logger = logger
        self.group = group
        endpoint = try await PseudoTerminalEndpoint.open(
            link: link, lineSettings: .default9600,
            options: PseudoTerminalEndpoint.Options(emulateLineMismatch: false), group: group, logger: logger)
    }

    /// Successful connections so far.
    public var connections: Int { state.withLock { $0.connections } }
    /// App bytes dropped while no connection was up.
    public var droppedWhileDisconnected: Int { state.withLock { $0.droppedWhileDisconnected } }
    /// True while connected.
    public var isConnected: Bool { state.withLock { $0.channel != nil } }

    /// Runs until cancelled: pumps bytes and settings, reconnecting as needed. Closes the PTY at the end.
    public func run() async {
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await self.pumpApplicationBytes() }
            tasks.addTask { await self.pumpEvents() }
            tasks.addTask { await self.connectLoop() }
            await tasks.next()
            tasks.cancelAll()
        }
        let channel = state.withLock { $0.channel }
        try? await channel?.close()
        await endpoint.close()
    }

    private func pumpApplicationBytes() async {
        for await bytes in endpoint.inbound {
            if let channel = state.withLock({ $0.channel }) {
                channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
            } else {
                state.withLock { $0.droppedWhileDisconnected += bytes.count }
            }
        }
    }

    private func pumpEvents() async {
        for await event in endpoint.events {
            guard url.speaksRFC2217 else { continue }
            switch event {
            case .lineSettingsChanged(let settings):
                send(ComPortClient.Apply(lineSettings: settings))
            case .opened where options.modemLinesFollowOpen:
                send(ComPortClient.Apply(dtr: true, rts: true))
            case .closed where options.modemLinesFollowOpen:
                send(ComPortClient.Apply(dtr: false, rts: false))
            default:
                break
            }
        }
    }

    private func send(_ apply: ComPortClient.Apply) {
        guard let channel = state.withLock({ $0.channel }) else { return }
        logger.debug("sending settings", metadata: ["settings": "\(apply)"])
        channel.triggerUserOutboundEvent(apply, promise: nil)
    }

    private func connectLoop() async {
        var backoff = options.initialBackoff
        while !Task.isCancelled {
            do {
                let channel = try await connect()
                backoff = options.initialBackoff
                state.withLock {
                    $0.channel = channel
                    $0.connections += 1
                }
                logger.info(
                    "attached", metadata: ["url": "\(url)", "link": "\(endpoint.linkPath ?? endpoint.slavePath)"])
                if url.speaksRFC2217 {
                    let settings = (try? endpoint.currentLineSettings()) ?? .default9600
                    let open = endpoint.isOpenByClient
                    send(
                        ComPortClient.Apply(
                            lineSettings: settings,
                            dtr: options.modemLinesFollowOpen ? open : nil,
                            rts: options.modemLinesFollowOpen ? open : nil))
                }
                await withTaskCancellationHandler {
                    try? await channel.closeFuture.get()
                } onCancel: {
                    channel.close(promise: nil)
                }
                state.withLock { $0.channel = nil }
                if Task.isCancelled { return }
                logger.warning("link dropped; reconnecting", metadata: ["url": "\(url)"])
            } catch {
                logger.debug(
                    "connect failed", metadata: ["url": "\(url)", "error": "\(error)", "retryIn": "\(backoff)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, options.maxBackoff)
                continue
            }
            try? await Task.sleep(for: options.initialBackoff)
        }
    }

    private func connect() async throws -> any Channel {
        let endpoint = self.endpoint
        let deliver: @Sendable (ByteBuffer) -> Void = { buffer in
            endpoint.write(Array(buffer.readableBytesView))
        }
        switch url {
        case .tcp(let host, let port), .rfc2217(let host, let port):
            let rfc2217 = if case .rfc2217 = url { true } else { false }
            let tls = options.tls
            let serverName = host.first.map { $0.isLetter } == true ? host : nil
            return try await ClientBootstrap(group: group)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(3))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let tls {
                            try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        }
                        if rfc2217 {
                            try sync.addHandlers(ComPortClient.telnetCodec(), ComPortClient())
                        }
                        try sync.addHandler(AttachInboundHandler(deliver: deliver))
                    }
                }
                .connect(host: host, port: port).get()
        case .device(let path), .rfc2217Device(let path):
            let rfc2217 = url.speaksRFC2217
            let fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else {
                throw SerialBridgeError(code: .connectFailed, message: "cannot open \(path): errno \(errno)")
            }
            let output = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            return try await NIOPipeBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if rfc2217 {
                            try sync.addHandlers(ComPortClient.telnetCodec(), ComPortClient())
                        }
                        try sync.addHandler(AttachInboundHandler(deliver: deliver))
                    }
                }
                .takingOwnershipOfDescriptors(input: fd, output: output).get()
        }
    }
}

/// Delivers connection bytes to the PTY.
final class AttachInboundHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let deliver: @Sendable (ByteBuffer) -> Void
    init(deliver: @escaping @Sendable (ByteBuffer) -> Void) { self.deliver = deliver }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deliver(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
