/// An error reading or writing a trace, with a stable `code`.
public struct TraceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// The file does not start with a pcapng section header block.
        case notPcapng
        /// The section header is damaged (bad byte-order magic or length).
        case corruptHeader
        /// The pcapng major version is not 1.
        case unsupportedVersion
        /// A file could not be opened, written or read.
        case io
        /// The trace holds no serial interface that can be replayed or shown.
        case noSuchInterface
        /// An argument (rotation size, interval, speed…) is invalid.
        case invalidArgument
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation naming the file when known.
    public var message: String
    /// The file concerned, if any.
    public var path: String?
    /// The `errno` of a failed system call, if any.
    public var errno: Int32?

    /// Creates an error.
    public init(code: Code, message: String, path: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.errno = errno
    }

    public var description: String {
        var text = message
        if let path, !message.contains(path) { text = "\(path): \(text)" }
        return text
    }
}
