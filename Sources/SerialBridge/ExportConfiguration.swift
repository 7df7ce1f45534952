import NIOSSL
import SerialIO
import Traces

/// How an export speaks to its TCP clients.
public enum ExportMode: String, Sendable, CaseIterable {
    /// Bytes as they are: socat, QEMU `-chardev socket`, pyserial `socket://`.
    case raw
    /// Telnet framing (IAC escaping, BINARY/SGA), no COM-PORT option.
    case telnet
    /// Telnet with RFC 2217 COM-PORT-OPTION: pyserial `rfc2217://`, ttynvt.
    case rfc2217
}

/// What happens to a client whose queue is full (it stopped reading).
public enum OverflowPolicy: String, Sendable, CaseIterable {
    /// Device bytes for that client are discarded (and counted) until it drains;
    /// the client stays connected and sees a gap.
    case drop
    /// The client is disconnected (and counted).
    case disconnect
}

/// When the export holds the device open.
public enum OpenPolicy: String, Sendable, CaseIterable {
    /// From start to stop, with or without clients (device output with no client is discarded).
    case always
    /// Only while at least one client is connected.
    case clients
}

/// Everything an ``ExportServer`` needs; the CLI fills it from its options.
public struct ExportConfiguration: Sendable {
    /// The device path (a tty such as /dev/ttyUSB0, or a PTY link).
    public var devicePath: String
    /// Address to bind; 127.0.0.1 by default.
    public var host: String
    /// TCP port; 0 picks a free one (see ``ExportServer/port``).
    public var port: Int
    /// Client protocol.
    public var mode: ExportMode
    /// Maximum simultaneous clients.
    public var maxClients: Int
    /// A new client beyond `maxClients` replaces the oldest one instead of being refused.
    public var takeover: Bool
    /// Open the device with TIOCEXCL so no other host process can open it.
    public var exclusive: Bool
    /// Per-client outbound queue bound in bytes.
    public var clientQueueBytes: Int
    /// What to do when a client's queue is full.
    public var overflowPolicy: OverflowPolicy
    /// When the device is held open.
    public var openPolicy: OpenPolicy
    /// Line settings applied on every open (nil: keep what the tty has, just make it raw).
    public var lineSettings: LineSettings?
    /// DTR/RTS levels set on open; nil leaves the line untouched (no glitch).
    public var dtrOnOpen: Bool?
    /// See `dtrOnOpen`.
    public var rtsOnOpen: Bool?
    /// How often an absent device is looked for.
    public var reopenInterval: Duration
    /// A pre-shared token clients must send first, followed by a newline (raw mode only).
    public var token: String?
    /// TLS server context (server certificate, optional client verification).
    public var tls: NIOSSLContext?
    /// Allows a non-loopback bind with neither TLS nor a token.
    public var insecure: Bool
    /// Records device traffic (both directions) and device events to a pcapng trace.
    public var trace: TraceTap?
    /// How long the event loop keeps polling after I/O instead of sleeping, while
    /// traffic turns around within that time (see ``BusyPollPolicy``); zero never polls.
    public var busyPoll: Duration

    /// The default ``busyPoll``: a round trip through a PTY or a USB adapter's
    /// driver turns around well within it, and a pause costs at most this much CPU.
    public static let defaultBusyPoll = Duration.microseconds(100)
    /// The largest ``busyPoll`` accepted.
    public static let maximumBusyPoll = Duration.milliseconds(10)

    /// Creates a configuration with defaults: 127.0.0.1, raw, 16 clients, 64 KiB queues, drop.
    public init(
        devicePath: String, host: String = "127.0.0.1", port: Int, mode: ExportMode = .raw,
        maxClients: Int = 16, takeover: Bool = false, exclusive: Bool = false, clientQueueBytes: Int = 65536,
        overflowPolicy: OverflowPolicy = .drop, openPolicy: OpenPolicy = .always,
        lineSettings: LineSettings? = nil, dtrOnOpen: Bool? = nil, rtsOnOpen: Bool? = nil,
        reopenInterval: Duration = .milliseconds(200), token: String? = nil, tls: NIOSSLContext? = nil,
        insecure: Bool = false, trace: TraceTap? = nil, busyPoll: Duration = Self.defaultBusyPoll
    ) {
        self.trace = trace
        self.busyPoll = busyPoll
        self.devicePath = devicePath
        self.host = host
        self.port = port
        self.mode = mode
        self.maxClients = maxClients
        self.takeover = takeover
        self.exclusive = exclusive
        self.clientQueueBytes = clientQueueBytes
        self.overflowPolicy = overflowPolicy
        self.openPolicy = openPolicy
        self.lineSettings = lineSettings
        self.dtrOnOpen = dtrOnOpen
        self.rtsOnOpen = rtsOnOpen
        self.reopenInterval = reopenInterval
        self.token = token
        self.tls = tls
        self.insecure = insecure
    }

    /// Refuses a plaintext, unauthenticated bind on a non-loopback address unless `insecure`.
    public func validate() throws(SerialBridgeError) {
        if !isLoopback(host), tls == nil, token == nil, !insecure {
            throw SerialBridgeError(
                code: .insecureBind,
                message: "refusing to serve \(devicePath) on \(host) without --tls-cert or --token; "
                    + "pass --insecure to do it anyway")
        }
        if token != nil, mode != .raw {
            throw SerialBridgeError(code: .invalidConfiguration, message: "--token works in raw mode only")
        }
        guard busyPoll >= .zero, busyPoll <= Self.maximumBusyPoll else {
            throw SerialBridgeError(
                code: .invalidConfiguration,
                message: "busy-poll must be between 0 and \(Int(Self.maximumBusyPoll / .microseconds(1))) "
                    + "microseconds, got \(Int(busyPoll / .microseconds(1)))")
        }
        guard maxClients >= 1, clientQueueBytes >= 1024 else {
            throw SerialBridgeError(
                code: .invalidConfiguration, message: "max-clients must be ≥ 1 and the client queue ≥ 1024 bytes")
        }
    }
}

/// True for 127.0.0.0/8, ::1 and "localhost".
public func isLoopback(_ host: String) -> Bool {
    host == "localhost" || host == "::1" || host.hasPrefix("127.")
}
