import Dispatch
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `devbridge serve`: the device supervisor and the HTTP listener in one `ServiceGroup`.
///
/// SIGTERM/SIGINT shut down gracefully: the HTTP listener first (event streams end),
/// then every device (exports closed, PTY links removed, traces flushed).
/// SIGHUP re-reads the configuration file and restarts only the devices whose configuration changed.
public final class DevbridgeServer: Sendable {
    /// Where the configuration comes from: a file (reloadable) or the embedded default.
    public let configPath: String?
    public let supervisor: DeviceSupervisor
    public let apiState: ControlAPIState
    private let configuration: ServiceConfiguration
    private let logger: Logger

    /// Loads the configuration (nil path: the embedded default) and prepares the services.
    public init(configPath: String?, environment: DeviceSupervisor.Environment = .init(), logger: Logger)
        throws(ServiceError)
    {
        let configuration =
            if let configPath {
                try ServiceConfigurationLoader.load(path: configPath)
            } else {
                try ServiceConfigurationLoader.embeddedDefault()
            }
        self.configPath = configPath
        self.configuration = configuration
        self.logger = logger
        let supervisor = DeviceSupervisor(configuration: configuration, environment: environment)
        self.supervisor = supervisor
        let path = configPath
        apiState = ControlAPIState(
            token: configuration.api.token,
            reload: path.map { path in
                { @Sendable () async throws -> DeviceSupervisor.ReloadSummary in
                    try await supervisor.reload(ServiceConfigurationLoader.load(path: path))
                }
            })
    }

    /// The router with every route (also used by tests through HummingbirdTesting).
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        ControlAPI.addRoutes(to: router, supervisor: supervisor, state: apiState)
        if let store = supervisor.cgmStore, let name = supervisor.nightscoutDeviceName {
            let directory = supervisor.directory
            let routes = NightscoutRoutes(
                store: store, secret: NightscoutSecret(configuration.api.effectiveNightscoutSecret),
                authDefault: configuration.nightscout.authDefault, token: configuration.api.token, name: name,
                inject: { event in
                    guard let device = directory.device(named: name) else {
                        throw ServiceError(.notFound, "no device named '\(name)'")
                    }
                    try device.inject(event, command: event.name)
                })
            routes.add(to: router)
        }
        return router
    }

    /// Runs until SIGTERM or SIGINT. `onRunning` gets the bound HTTP port and the device snapshots.
    public func run(onRunning: @escaping @Sendable (Int, [DeviceSnapshot]) async -> Void = { _, _ in }) async throws {
        let supervisor = supervisor
        let listen = configuration.api.listen
        try await Self.checkListenable(listen)
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "devbridge"),
            onServerRunning: { channel in
                await supervisor.waitUntilStarted()
                // Give PTYs a moment to open so the banner shows their paths.
                for _ in 0..<40 {
                    let devices = await supervisor.snapshots()
                    let starting =
                        devices.contains { $0.status == .starting }
                        || devices.contains { $0.exports.contains { $0.status == .starting } }
                    if !starting { break }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                let port = channel.localAddress?.port ?? listen.port
                await onRunning(port, await supervisor.snapshots())
            },
            logger: logger)
        let notifier = ShutdownNotifier(state: apiState)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: supervisor), .init(service: app), .init(service: notifier)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let hangup = installReloadOnHangup()
        defer { hangup?.cancel() }
        try await group.run()
    }

    /// Fails early, before any device starts (and takes over a PTY link), when the port is taken.
    static func checkListenable(_ listen: ListenAddress) async throws(ServiceError) {
        guard listen.port != 0 else { return }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: listen.host, port: listen.port).get()
            try await channel.close()
        } catch {
            throw ServiceError(
                .startFailed, "cannot listen on \(listen): \(error) (is another devbridge serve running?)",
                key: "api.listen")
        }
    }

    /// SIGHUP → reload (only with a configuration file).
    private func installReloadOnHangup() -> (any DispatchSourceSignal)? {
        guard let reload = apiState.reload else { return nil }
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let logger = logger
        source.setEventHandler {
            Task {
                do {
                    let summary = try await reload()
                    logger.notice(
                        "SIGHUP: reloaded; restarted \(summary.restarted), started \(summary.started), stopped \(summary.stopped)"
                    )
                } catch {
                    logger.error("SIGHUP: configuration not reloaded: \(error)")
                }
            }
        }
        source.resume()
        return source
    }
}

/// The last service of the group, so the first to hear graceful shutdown: it ends event streams
/// so the HTTP listener can close.
struct ShutdownNotifier: Service {
    let state: ControlAPIState

    func run() async throws {
        try? await gracefulShutdown()
        state.beginShutdown()
    }
}
