import Foundation

/// What `devbridge serve` runs: virtual devices, exports of host devices and the HTTP listener.
///
/// Loaded from YAML by ``ServiceConfigurationLoader`` (see docs/service.md for the format).
/// Every part is `Equatable`, so a reload restarts only what changed.
public struct ServiceConfiguration: Sendable, Equatable {
    /// The HTTP listener: dashboard, control API, health, metrics, Nightscout.
    public var api: APIConfiguration
    /// Virtual devices, in file order.
    public var devices: [VirtualDeviceConfiguration]
    /// Exports of host serial devices.
    public var hostExports: [HostExportConfiguration]
    /// The Nightscout-compatible routes' settings.
    public var nightscout: NightscoutSettings
    /// Where the configuration came from (a path or `<embedded default>`).
    public var source: String

    /// Creates a configuration.
    public init(
        api: APIConfiguration = APIConfiguration(), devices: [VirtualDeviceConfiguration] = [],
        hostExports: [HostExportConfiguration] = [], nightscout: NightscoutSettings = NightscoutSettings(),
        source: String = "<memory>"
    ) {
        self.api = api
        self.devices = devices
        self.hostExports = hostExports
        self.nightscout = nightscout
        self.source = source
    }

    /// The device called `name`.
    public func device(named name: String) -> VirtualDeviceConfiguration? { devices.first { $0.name == name } }

    /// The device served on the Nightscout-compatible routes (`nightscout: true`), if any.
    public var nightscoutDevice: VirtualDeviceConfiguration? { devices.first { $0.nightscout } }
}

/// The top-level `nightscout:` section.
public struct NightscoutSettings: Sendable, Equatable {
    /// What clients may do without the secret (`auth_default`; `readable` unless set).
    public var authDefault: NightscoutAuthDefault

    /// Creates the settings.
    public init(authDefault: NightscoutAuthDefault = .readable) {
        self.authDefault = authDefault
    }
}

/// A `host:port` pair.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:7000`, `[::1]:7000` or `:7000` (loopback). nil when malformed.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(trimmed[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
    }

    /// Whether the host is a loopback address (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The HTTP listener and its authentication.
public struct APIConfiguration: Sendable, Equatable {
    /// Where to listen (default 127.0.0.1:7000).
    public var listen: ListenAddress
    /// Bearer token required on the control API; mandatory when `listen` is not loopback.
    public var token: String?
    /// Nightscout `API_SECRET` for the CGM routes (clients send its SHA-1 hex as `api-secret`).
    /// nil: the token, else ``defaultNightscoutSecret`` (loopback only).
    public var nightscoutSecret: String?

    /// The secret used when none is configured and the listener is loopback.
    public static let defaultNightscoutSecret = "devbridge-local"

    /// Creates an API configuration.
    public init(
        listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 7000), token: String? = nil,
        nightscoutSecret: String? = nil
    ) {
        self.listen = listen
        self.token = token
        self.nightscoutSecret = nightscoutSecret
    }

    /// The Nightscout secret in force.
    public var effectiveNightscoutSecret: String {
        nightscoutSecret ?? token ?? Self.defaultNightscoutSecret
    }
}

/// How a device runs: in the service's process or in a supervised child process.
public enum DeviceIsolation: Sendable, Equatable {
    /// In-process (the default): cheapest, full clock control.
    case embedded
    /// A child `devbridge sim` under resource limits, restarted with backoff when it dies.
    case process(ProcessLimits)

    /// `embedded` or `process`.
    public var name: String {
        switch self {
        case .embedded: "embedded"
        case .process: "process"
        }
    }
}

/// Resource limits of a process-isolated device (applied with `prlimit`).
public struct ProcessLimits: Sendable, Equatable {
    /// Maximum data segment (heap) in bytes, nil: unlimited.
    public var memoryBytes: Int?
    /// Maximum CPU time in seconds, nil: unlimited.
    public var cpuSeconds: Int?
    /// First restart delay; doubles on each crash up to ``maxBackoff``.
    public var initialBackoff: Double
    /// Longest restart delay.
    public var maxBackoff: Double

    /// The largest `cpu` a configuration may give: a year.
    public static let maximumCPUSeconds = 365 * 86400
    /// The largest `memory` a configuration may give: 1 TiB.
    public static let maximumMemoryBytes = 1 << 40

    /// Creates limits.
    public init(
        memoryBytes: Int? = 512 << 20, cpuSeconds: Int? = nil, initialBackoff: Double = 0.5, maxBackoff: Double = 30
    ) {
        self.memoryBytes = memoryBytes
        self.cpuSeconds = cpuSeconds
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }
}

/// One TCP export of a device (served by the SerialBridge module).
public struct ExportSpec: Sendable, Equatable {
    /// `raw`, `rfc2217` or `telnet`.
    public var mode: String
    public var listen: ListenAddress
    /// How long the export polls after I/O instead of sleeping (`busy_poll_us`, 0 never);
    /// nil: the export's default.
    public var busyPollMicroseconds: Int?

    /// Creates an export spec.
    public init(mode: String, listen: ListenAddress, busyPollMicroseconds: Int? = nil) {
        self.mode = mode
        self.listen = listen
        self.busyPollMicroseconds = busyPollMicroseconds
    }
}

/// One virtual device.
public struct VirtualDeviceConfiguration: Sendable, Equatable {
    /// Unique name (the key under `devices:`), used in the API, metrics and default link.
    public var name: String
    /// A profile path or shipped profile name.
    public var profile: String
    /// Protocol name; nil: the profile's `device.protocol`.
    public var protocolName: String?
    /// PTY symlink; nil: `$XDG_RUNTIME_DIR/devbridge/NAME` or `/tmp/devbridge-UID/NAME`.
    public var link: String?
    public var speed: SimulationSpeed
    /// Start paused (the clock can be resumed through the API).
    public var paused: Bool
    /// nil: the profile's seed.
    public var seed: UInt64?
    public var resetOnOpen: Bool
    public var emulateBaudMismatch: Bool
    /// pcapng file recording the PTY session.
    public var trace: String?
    public var isolation: DeviceIsolation
    /// TCP exports of this device's PTY.
    public var exports: [ExportSpec]
    /// Serve this device's readings on the Nightscout-compatible routes (CGM devices).
    public var nightscout: Bool
    /// Start with the service (false: only through the API).
    public var autostart: Bool

    /// Creates a device configuration with defaults.
    public init(
        name: String, profile: String, protocolName: String? = nil, link: String? = nil,
        speed: SimulationSpeed = .factor(1), paused: Bool = false, seed: UInt64? = nil, resetOnOpen: Bool = true,
        emulateBaudMismatch: Bool = true, trace: String? = nil, isolation: DeviceIsolation = .embedded,
        exports: [ExportSpec] = [], nightscout: Bool = false, autostart: Bool = true
    ) {
        self.name = name
        self.profile = profile
        self.protocolName = protocolName
        self.link = link
        self.speed = speed
        self.paused = paused
        self.seed = seed
        self.resetOnOpen = resetOnOpen
        self.emulateBaudMismatch = emulateBaudMismatch
        self.trace = trace
        self.isolation = isolation
        self.exports = exports
        self.nightscout = nightscout
        self.autostart = autostart
    }
}

/// An export of a host serial device, by path or by a udev match.
public struct HostExportConfiguration: Sendable, Equatable {
    /// What to export.
    public enum Selector: Sendable, Equatable {
        /// A device node such as `/dev/ttyUSB0` or `/dev/serial/by-id/…`.
        case path(String)
        /// udev properties to match (`ID_VENDOR_ID`, `ID_MODEL_ID`, `ID_SERIAL_SHORT`, …); needs discovery.
        case match([String: String])
    }

    public var name: String
    public var selector: Selector
    public var export: ExportSpec
    /// Line speed to set on the host device; nil: leave it (RFC 2217 clients set it).
    public var baud: Int?
    /// pcapng file recording the session.
    public var trace: String?

    /// Creates a host export.
    public init(name: String, selector: Selector, export: ExportSpec, baud: Int? = nil, trace: String? = nil) {
        self.name = name
        self.selector = selector
        self.export = export
        self.baud = baud
        self.trace = trace
    }
}
