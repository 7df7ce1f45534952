import DevicePort

/// What an export serves.
public enum ExportSource: Sendable {
    /// A tty opened by path (a host serial port), reopened when it hangs up.
    case path(String)
    /// An in-process device port (a virtual device): the export is one more of its endpoints.
    case port(DevicePort, emulateBaudMismatch: Bool)

    /// The path, or the device's name, for the API and logs.
    public var name: String {
        switch self {
        case .path(let path): path
        case .port(let port, _): port.name
        }
    }
}

/// Starts TCP exports of serial devices (ports of virtual devices, host serial ports).
///
/// The service talks to exports only through this protocol, so the SerialBridge module's
/// export server plugs in without the supervisor knowing its types.
public protocol ExportBackend: Sendable {
    /// Starts serving `source` as `spec` describes. `trace`: a pcapng file to record, if any.
    func start(name: String, source: ExportSource, spec: ExportSpec, baud: Int?, trace: String?)
        async throws(ServiceError)
        -> any RunningExport
}

/// A started export.
public protocol RunningExport: Sendable {
    /// The bound port (the configured one, or the one chosen for port 0).
    var port: Int { get }
    /// Counters for the API and metrics.
    func counters() async -> ExportCounters
    /// Closes the listener and every client.
    func stop() async
}

/// Counters of one export.
public struct ExportCounters: Sendable, Codable, Equatable {
    /// Clients connected now.
    public var clients = 0
    /// Clients accepted since start.
    public var clientsAccepted = 0
    /// Bytes from clients to the device.
    public var bytesIn = 0
    /// Bytes from the device to clients.
    public var bytesOut = 0
    /// Times the device was (re)opened.
    public var reconnects = 0
    /// Refused clients, overflow disconnects and other errors.
    public var errors = 0

    /// Zero counters.
    public init() {}
}

/// The backend of a build without the SerialBridge export server: every export fails with `unavailable`.
public struct UnavailableExportBackend: ExportBackend {
    /// Creates the backend.
    public init() {}

    public func start(name: String, source: ExportSource, spec: ExportSpec, baud: Int?, trace: String?)
        async throws(ServiceError)
        -> any RunningExport
    {
        throw ServiceError(
            .unavailable, "TCP exports need the SerialBridge export server, which this build does not have")
    }
}
