import Simulation

/// An error from the service: configuration, control API or device supervision.
///
/// At the HTTP edge ``code`` becomes a status (``httpStatus``); on the command line
/// the description names the file, line and key at fault for configuration errors.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// Machine-readable category.
    public enum Code: String, Sendable {
        /// The configuration file is invalid (see ``location`` and ``key``).
        case config
        /// A request body or parameter is invalid.
        case badRequest = "bad-request"
        /// No such device or export.
        case notFound = "not-found"
        /// The request conflicts with the device's state (e.g. clock control on a process device).
        case conflict
        /// A missing or wrong bearer token.
        case unauthorized
        /// A feature this build does not have (e.g. a protocol whose module is absent).
        case unavailable
        /// A device failed to start.
        case startFailed = "start-failed"
    }

    public var code: Code
    public var message: String
    /// Key path at fault in the configuration (`devices.smoker.speed`), when known.
    public var key: String?
    /// File, line and column at fault in the configuration, when known.
    public var location: SourceLocation?

    /// Creates an error.
    public init(_ code: Code, _ message: String, key: String? = nil, location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.key = key
        self.location = location
    }

    /// A configuration error from a located profile-style YAML error.
    public init(config error: ProfileError) {
        self.init(.config, error.message, key: error.keyPath.isEmpty ? nil : error.keyPath, location: error.location)
    }

    /// The HTTP status for this error.
    public var httpStatus: Int {
        switch code {
        case .config, .badRequest: 400
        case .unauthorized: 401
        case .notFound: 404
        case .conflict: 409
        case .unavailable: 501
        case .startFailed: 500
        }
    }

    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        if let key, !key.isEmpty { text += "\(key): " }
        return text + message
    }
}
