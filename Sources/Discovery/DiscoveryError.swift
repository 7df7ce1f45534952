/// An error from device discovery, matching or monitoring.
public struct DiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for programs.
    public enum Code: String, Sendable {
        /// libudev could not be initialized or refused a call.
        case udev
        /// A match rule is malformed (unknown key, empty rule, bad hex).
        case invalidMatch = "invalid_match"
        /// The udev monitor could not be started.
        case monitor
        /// The link to a matched device could not be made.
        case link
    }

    /// What went wrong, for programs.
    public let code: Code
    /// What went wrong, for people.
    public let message: String
    /// The match key at fault, when there is one.
    public let key: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, key: String? = nil) {
        self.code = code
        self.message = message
        self.key = key
    }

    /// The message, with the key at fault.
    public var description: String { key.map { "\(message) (key '\($0)')" } ?? message }
}
