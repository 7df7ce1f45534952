/// Where in a profile something was written: file, line and column (1-based).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// File path or profile name (`<embedded smoker-brisket>` for shipped profiles).
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// An error in a profile, naming the file, line, column and the key at fault.
///
/// Rendered as `profiles/x.yaml:12:7: events[0].duration: missing unit in '90' (write e.g. 90s)`.
public struct ProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Machine-readable category.
    public enum Code: String, Sendable {
        case syntax
        case unknownKey = "unknown-key"
        case missingKey = "missing-key"
        case missingUnit = "missing-unit"
        case badUnit = "bad-unit"
        case badValue = "bad-value"
        case wrongType = "wrong-type"
        case negativeDuration = "negative-duration"
        case pastEnd = "past-end"
        case unknownReference = "unknown-reference"
        case notFound = "not-found"
    }

    public var code: Code
    public var message: String
    /// Key path at fault, e.g. `events[2].duration`; empty for the document root.
    public var keyPath: String
    public var location: SourceLocation?

    public init(_ code: Code, _ message: String, keyPath: String = "", location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.keyPath = keyPath
        self.location = location
    }

    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        if !keyPath.isEmpty { text += "\(keyPath): " }
        return text + message
    }
}
