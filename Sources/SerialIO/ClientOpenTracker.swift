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
    /// An open was inferred from the client's bytes before its notification arrived: that
    /// notification is absorbed rather than counted again.
    private var notificationDue = false

    /// What a notification means for the port as a whole.
    enum Transition: Sendable, Equatable {
        case opened
        case closed
    }

    /// Records an open; returns `.opened` when the port was closed before.
    mutating func clientOpened() -> Transition? {
        if notificationDue {
            notificationDue = false
            return nil
        }
        openCount += 1
        totalOpens += 1
        return openCount == 1 ? .opened : nil
    }

    /// Records bytes the client wrote. With nobody believed to have the port open, its open
    /// notification has not been read yet (the monitor thread is behind the reads): when `held`
    /// confirms someone has the slave open, the open is counted now, so that the device's
    /// answer is not dropped, and the notification, when it comes, is absorbed.
    mutating func clientWrote(held: () -> Bool) -> Transition? {
        guard openCount == 0, held() else { return nil }
        notificationDue = true
        openCount = 1
        totalOpens += 1
        return .opened
    }

    /// Records a close; returns `.closed` when no client is left. `stillHeld` is asked only
    /// when the count would reach zero: true means an open was lost to coalescing, and the
    /// port stays open with one client.
    mutating func clientClosed(stillHeld: () -> Bool = { false }) -> Transition? {
        notificationDue = false
        guard openCount > 0 else { return nil }
        if openCount == 1, stillHeld() { return nil }
        openCount -= 1
        return openCount == 0 ? .closed : nil
    }
}
