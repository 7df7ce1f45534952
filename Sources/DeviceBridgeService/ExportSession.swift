import Discovery
import Logging
import SerialBridge
import SerialIO
import ServiceLifecycle
import Traces

/// One serial device served over TCP, as `devbridge export` runs it: the ``ExportServer``,
/// its trace, and, for a match rule, the link that follows the matching host device.
/// Run ``services`` in one `ServiceGroup`; graceful shutdown closes clients and the device,
/// then the trace.
public struct ExportSession: Sendable {
    /// The export as configured (with its trace tap).
    public let configuration: ExportConfiguration
    /// The export and, for a match rule, the device follower.
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]

    /// A link kept pointing at the host device `rule` picks: at `link`, else at a per-user
    /// runtime path named after the rule. Export the link's path.
    public static func matchedLink(
        rule: DeviceMatch, link: String?, logger: Logger
    ) throws(SerialIOError) -> MatchedDeviceLink {
        let name = "match-" + String(rule.description.map { $0.isLetter || $0.isNumber ? $0 : "-" })
        let path: String
        if let link {
            path = link
        } else {
            path = try PTYLink.defaultPath(name: name)
        }
        return MatchedDeviceLink(rule: rule, linkPath: path, logger: logger)
    }

    /// Sets up the export of a validated `configuration`; creates the trace file at `trace`
    /// (named `traceName` inside). Nothing runs until ``services`` do.
    ///
    /// At run time the export throws ``SerialBridgeError`` (e.g. the port is taken) and the
    /// follower ``ServiceError`` (`startFailed`).
    public init(
        configuration: ExportConfiguration, trace: String? = nil, traceName: String, matched: MatchedDeviceLink? = nil,
        logger: Logger, onListening: @escaping @Sendable (_ port: Int) -> Void = { _ in }
    ) throws(TraceError) {
        var configuration = configuration
        var recorder: TraceRecorder?
        if let trace {
            let opened = try TraceRecorder(path: trace)
            configuration.trace = TraceTap(recorder: opened, name: traceName, description: "devbridge export")
            recorder = opened
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: ExportService(
                    configuration: configuration, recorder: recorder, logger: logger, onListening: onListening))
        ]
        if let matched {
            services.append(.init(service: FollowService(matched: matched)))
        }
        self.configuration = configuration
        self.services = services
    }
}

/// The export as a service: serves until graceful shutdown, then closes clients and the
/// device and flushes the trace.
private struct ExportService: Service {
    let configuration: ExportConfiguration
    let recorder: TraceRecorder?
    let logger: Logger
    /// Called once the listener is bound, with the bound port.
    let onListening: @Sendable (Int) -> Void

    func run() async throws {
        let server = try await ExportServer.start(configuration, logger: logger)
        onListening(server.port)
        try await withGracefulShutdownHandler {
            try await server.waitUntilClosed()
        } onGracefulShutdown: {
            Task { await server.stop() }
        }
        // Idempotent: makes sure the device is closed (its hangup noted) before the trace is.
        await server.stop()
        recorder?.close()
    }
}

/// Follows host devices for a match rule until graceful shutdown cancels it, so it removes
/// its link before the process exits.
private struct FollowService: Service {
    let matched: MatchedDeviceLink

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                do {
                    try await matched.run()
                } catch let error where !(error is CancellationError) {
                    throw ServiceError(.startFailed, "cannot follow devices: \(error)")
                }
            }
        } catch is CancellationError {}
    }
}
