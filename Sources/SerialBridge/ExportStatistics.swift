/// Counters of an export since it started.
public struct ExportStatistics: Sendable, Equatable {
    /// Clients connected now.
    public var clients = 0
    /// Clients accepted in total.
    public var clientsAccepted = 0
    /// Clients refused (max-clients without takeover, bad token).
    public var clientsRefused = 0
    /// Bytes read from the device.
    public var deviceBytesIn = 0
    /// Bytes written to the device.
    public var deviceBytesOut = 0
    /// Times the device was opened (1 + reopens).
    public var deviceOpens = 0
    /// True while the device is open.
    public var deviceOpen = false
    /// Client bytes dropped because the device was absent.
    public var droppedWhileAbsent = 0
    /// Client bytes dropped because the device's write queue was past its hard limit (2 MiB).
    public var droppedWhileBackedUp = 0
    /// Device bytes not delivered to a client whose queue was full (summed over clients).
    public var overflowDroppedBytes = 0
    /// Times a client's queue filled up (each start of an overflow episode).
    public var overflowEpisodes = 0
    /// Clients disconnected by the `disconnect` overflow policy.
    public var overflowDisconnects = 0
    /// Polls in which the device's UART had counted new receive errors (framing, parity, overrun, BREAK).
    public var lineErrorReports = 0
    /// Times the event loop polled for a moment after I/O instead of sleeping (see `busyPoll`).
    public var busyPollWindows = 0
}
