/// The serial I/O layer's one error type, thrown by PTY endpoints, links,
/// line settings and ``SerialPort``. `message` is meant for people and
/// names the path at fault; `code` is for programs.
public struct SerialIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for programs.
    public enum Code: String, Sendable, Equatable {
        /// Allocating or opening a pseudo-terminal pair failed.
        case ptyOpenFailed
        /// The link path exists and is not a symbolic link; it is never replaced.
        case linkPathOccupied
        /// Creating the symbolic link (or its directory) failed.
        case linkFailed
        /// Reading or setting termios failed.
        case lineSettingsFailed
        /// The line settings are not representable (e.g. 9 data bits, baud 0).
        case invalidLineSettings
        /// Watching the slave node for opens and closes failed.
        case watchFailed
        /// Integrating the master with the event loop failed.
        case channelFailed
        /// Opening a tty by path failed (absent device, permissions), or
        /// duplicating its descriptor did.
        case openFailed
        /// The path opened as a serial port is not a terminal.
        case notATerminal
        /// An ioctl on an open serial port failed (e.g. modem lines on a PTY).
        case controlFailed
    }

    /// What went wrong, for programs.
    public let code: Code
    /// What went wrong, for people; names the path at fault.
    public let message: String
    /// The path at fault, if any.
    public let path: String?
    /// The `errno` value behind the failure, if any.
    public let errno: Int32?

    /// Creates an error.
    public init(code: Code, message: String, path: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.errno = errno
    }

    /// `message`, with the system's text for `errno` when there is one.
    public var description: String {
        guard let errno else { return message }
        return "\(message): \(SerialIOError.describe(errno: errno))"
    }

    static func describe(errno: Int32) -> String {
        guard let text = strerror(errno) else { return "errno \(errno)" }
        return String(cString: text)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
