/// Counts the clients that have a PTY slave open, from the slave node's
/// open/close notifications, and says when the port as a whole opens or
/// closes. Pure state machine; the I/O lives in ``PseudoTerminalEndpoint``.
///
/// inotify merges identical consecutive events that were not read yet, so
/// two quick opens by different clients can arrive as one. The count never
/// goes below zero, and before the last close is believed the caller checks
/// that nobody still holds the slave (``SlaveHolders``): otherwise one lost
/// open would report the port closed while an app reads it, and its data
/// would be dropped.
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

    /// Records a close; returns `.closed` when no client is left. `stillHeld` is asked only
    /// when the count would reach zero: true means an open was lost to coalescing, and the
    /// port stays open with one client.
    mutating func clientClosed(stillHeld: () -> Bool = { false }) -> Transition? {
        guard openCount > 0 else { return nil }
        if openCount == 1, stillHeld() { return nil }
        openCount -= 1
        return openCount == 0 ? .closed : nil
    }
}
