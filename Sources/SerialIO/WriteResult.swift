/// The outcome of a never-blocking write to a PTY endpoint.
public struct WriteResult: Sendable, Equatable {
    /// Bytes handed to the kernel for the client to read.
    public var written: Int
    /// Bytes dropped because the client's input queue was full (nobody is
    /// reading) or the endpoint is closed. A real UART loses them too.
    public var dropped: Int

    /// Creates a result.
    public init(written: Int, dropped: Int) {
        self.written = written
        self.dropped = dropped
    }

    /// True when every byte was written.
    public var isComplete: Bool { dropped == 0 }
}
