/// Counters of a PTY endpoint since it was opened.
public struct PTYStatistics: Sendable, Equatable {
    /// Bytes written to the client (device → app), after any line corruption.
    public var bytesWritten = 0
    /// Bytes dropped on the way to the client (its input queue was full).
    public var bytesDropped = 0
    /// Bytes received from the client (app → device).
    public var bytesReceived = 0
    /// Times a client opened the slave (each `open(2)`, as notified).
    public var clientOpens = 0
    /// Clients believed to have the port open now.
    public var openClients = 0

    /// All zero.
    public init() {}
}
