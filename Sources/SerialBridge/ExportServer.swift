import DevicePort
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Serves one serial device over TCP in raw, telnet or RFC 2217 mode, to
/// several clients at once (see ``ExportHub`` semantics in docs/bridge.md).
///
/// ```swift
/// let server = try await ExportServer.start(ExportConfiguration(devicePath: "/dev/ttyUSB0", port: 7000, mode: .rfc2217))
/// print(server.port)
/// try await server.waitUntilClosed()
/// ```
///
/// Everything (device, clients, fan-out) runs on one event loop. A host tty is served through
/// its own ``DevicePort`` (``HostTTYPort``), like a virtual device's.
public final class ExportServer: Sendable {
    /// The TCP port actually bound (useful with port 0).
    public let port: Int
    /// The configuration served.
    public let configuration: ExportConfiguration
    private let serverChannel: any Channel
    let hub: NIOLoopBound<ExportHub>
    let eventLoop: any EventLoop
    /// The host tty this server opened (nil when it serves someone else's port).
    private let tty: HostTTYPort?

    private init(
        port: Int, configuration: ExportConfiguration, serverChannel: any Channel,
        hub: NIOLoopBound<ExportHub>, eventLoop: any EventLoop, tty: HostTTYPort?
    ) {
        self.port = port
        self.configuration = configuration
        self.serverChannel = serverChannel
        self.hub = hub
        self.eventLoop = eventLoop
        self.tty = tty
    }

    /// Validates `configuration`, binds, and starts serving the host tty at
    /// `configuration.devicePath` (and, with the `always` open policy, opening it — now or
    /// when it appears). The tty is a ``HostTTYPort`` on the server's loop, with the export
    /// as its endpoint: RFC 2217 settings are applied to it before they are acknowledged.
    public static func start(
        _ configuration: ExportConfiguration,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        logger: Logger = Logger(label: "devbridge.export")
    ) async throws -> ExportServer {
        try configuration.validate()
        let tty = try await HostTTYPort.waiting(for: configuration.hostTTY, eventLoop: eventLoop, logger: logger)
        do {
            return try await start(configuration, eventLoop: eventLoop, logger: logger, tty: tty) {
                let device = PortDevice(
                    port: tty.port, clientSettings: nil, emulateMismatch: false, trace: configuration.trace,
                    eventLoop: eventLoop, appliesClientSettings: true)
                device.onDemand = { tty.keepOpen($0) }
                return device
            }
        } catch {
            await tty.stop()
            throw error
        }
    }

    /// Serves an in-process device `port` as one more of its endpoints: no tty is opened, and
    /// `configuration.devicePath` only names the device in logs. The export's clients start at
    /// `configuration.lineSettings` (or the device's); with `emulateBaudMismatch`, a client
    /// setting another baud over RFC 2217 reads and writes garbage, as on a real line.
    public static func start(
        _ configuration: ExportConfiguration, port: DevicePort, emulateBaudMismatch: Bool = true,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        logger: Logger = Logger(label: "devbridge.export")
    ) async throws -> ExportServer {
        try await start(configuration, eventLoop: eventLoop, logger: logger) {
            PortDevice(
                port: port, clientSettings: configuration.lineSettings, emulateMismatch: emulateBaudMismatch,
                trace: configuration.trace, eventLoop: eventLoop)
        }
    }

    private static func start(
        _ configuration: ExportConfiguration, eventLoop: any EventLoop, logger: Logger, tty: HostTTYPort? = nil,
        makeDevice: @escaping @Sendable () -> PortDevice
    ) async throws -> ExportServer {
        try configuration.validate()
        let hub = try await eventLoop.submit {
            let hub = ExportHub(configuration: configuration, device: makeDevice(), logger: logger)
            return NIOLoopBound(hub, eventLoop: eventLoop)
        }.get()
        let queue = configuration.clientQueueBytes
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: eventLoop, childGroup: eventLoop)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                // The kernel's send buffer is part of each client's queue: keep it small too.
                .childChannelOption(ChannelOptions.socketOption(.so_sndbuf), value: max(queue, 16384))
                .childChannelOption(
                    ChannelOptions.writeBufferWaterMark,
                    value: .init(low: queue / 2, high: queue)
                )
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configurePipeline(channel, configuration: configuration, hub: hub.value)
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw SerialBridgeError(
                code: .bindFailed, message: "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        try await eventLoop.submit { hub.value.start() }.get()
        logger.info(
            "export listening",
            metadata: [
                "device": "\(configuration.devicePath)", "mode": "\(configuration.mode.rawValue)",
                "address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
            ])
        return ExportServer(
            port: channel.localAddress?.port ?? configuration.port, configuration: configuration,
            serverChannel: channel, hub: hub, eventLoop: eventLoop, tty: tty)
    }

    private static func configurePipeline(_ channel: any Channel, configuration: ExportConfiguration, hub: ExportHub)
        throws
    {
        let sync = channel.pipeline.syncOperations
        if let tls = configuration.tls {
            try sync.addHandler(NIOSSLServerHandler(context: tls))
        }
        switch configuration.mode {
        case .raw:
            if let token = configuration.token { try sync.addHandler(TokenAuthHandler(token: token)) }
        case .telnet, .rfc2217:
            try sync.addHandlers(
                TelnetCodec.server(comPort: configuration.mode == .rfc2217),
                ComPortOption(target: hub.device))
        }
        try sync.addHandler(ExportClientHandler(hub: hub, needsAuthentication: configuration.token != nil))
    }

    /// Counters (clients, bytes, overflow drops, reopens).
    public func statistics() async -> ExportStatistics {
        (try? await eventLoop.submit { self.hub.value.currentStatistics }.get()) ?? ExportStatistics()
    }

    /// Waits until ``stop()`` closes the listening socket.
    public func waitUntilClosed() async throws {
        try await serverChannel.closeFuture.get()
    }

    /// Closes the listener, all clients and the device.
    public func stop() async {
        try? await serverChannel.close()
        try? await eventLoop.submit { self.hub.value.stop() }.get()
        await tty?.stop()
    }
}
