import Synchronization

/// Shared state of the HTTP listener: the bearer token, the reload hook and the shutdown flag.
public final class ControlAPIState: Sendable {
    private struct State {
        var token: String?
        var shuttingDown = false
    }
    private let state: Mutex<State>
    /// Re-reads the configuration file and applies it (nil: nothing to reload from).
    public let reload: (@Sendable () async throws -> DeviceSupervisor.ReloadSummary)?

    /// Creates the state.
    public init(
        token: String?,
        reload: (@Sendable () async throws -> DeviceSupervisor.ReloadSummary)? = nil
    ) {
        state = Mutex(State(token: token))
        self.reload = reload
    }

    /// The bearer token required on the control API, if any.
    public var token: String? {
        get { state.withLock { $0.token } }
        set { state.withLock { $0.token = newValue } }
    }

    /// Set when graceful shutdown starts: event streams end so the listener can close.
    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Ends the event streams.
    public func beginShutdown() { state.withLock { $0.shuttingDown = true } }

    /// Constant-time comparison of a presented token with the configured one.
    public func accepts(_ presented: String?) -> Bool {
        guard let expected = token else { return true }
        guard let presented else { return false }
        let a = Array(expected.utf8)
        let b = Array(presented.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
