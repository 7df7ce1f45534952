/// Counts the clients that have a PTY slave open, from the slave node's
/// open/close notifications, and says when the port as a whole opens or
/// closes. Pure state machine; the I/O lives in ``PseudoTerminalEndpoint``.
///
/// inotify merges identical consecutive events that were not read yet, so
/// two quick opens by different clients can arrive as one; the count never
/// goes below zero, and an extra close simply reports the port closed.
struct ClientOpenTracker: Sendable, Equatable {
    /// Clients believed to have the port open.
    private(set) var openCount = 0
    /// Opens seen in total.
    private(set) var totalOpens = 0

    /// What a notification means for the port as a whole.
    enum Transition: Sendable, Equatable {
        case opened
        case closed
    }

    /// Records an open; returns `.opened` when the port was closed before.
    mutating func clientOpened() -> Transition? {
        openCount += 1
        totalOpens += 1
        return openCount == 1 ? .opened : nil
    }

    /// Records a close; returns `.closed` when no client is left.
    mutating func clientClosed() -> Transition? {
        guard openCount > 0 else { return nil }
        openCount -= 1
        return openCount == 0 ? .closed : nil
    }
}
