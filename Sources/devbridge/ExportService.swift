import Logging
import SerialBridge
import ServiceLifecycle
import Traces

/// `devbridge export` as a service: serves until graceful shutdown (SIGINT/SIGTERM through
/// ``runUntilStopped(_:logger:)``), then closes clients and the device and flushes the trace.
struct ExportService: Service {
    let configuration: ExportConfiguration
    let recorder: TraceRecorder?
    let logger: Logger
    /// Called once the listener is bound, with the bound port.
    let onListening: @Sendable (Int) -> Void

    func run() async throws {
        let server: ExportServer
        do {
            server = try await ExportServer.start(configuration, logger: logger)
        } catch let error as SerialBridgeError {
            throw ValidationFailure(message: error.message)
        }
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
