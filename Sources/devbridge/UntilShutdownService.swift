import ServiceLifecycle

/// Runs work that ends when its task is cancelled (following devices for `--match`, an attach
/// client) until graceful shutdown (SIGINT/SIGTERM through ``runUntilStopped(_:logger:)``)
/// cancels it, so it cleans up (removes its links) before the process exits.
struct UntilShutdownService: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown(body)
        } catch is CancellationError {}
    }
}
