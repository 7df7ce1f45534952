/// An error from the serial bridge (export or attach).
public struct SerialBridgeError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        case insecureBind, invalidConfiguration, invalidURL, bindFailed, deviceFailed, connectFailed, tlsFailed
    }
    /// The kind of failure.
    public var code: Code
    /// A message for people.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
