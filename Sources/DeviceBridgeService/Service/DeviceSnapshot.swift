/// The state of one device and its exports, as the control API reports it.
public struct DeviceSnapshot: Sendable, Codable, Equatable {
    /// One channel's current reading.
    public struct Channel: Sendable, Codable, Equatable {
        public var name: String
        public var unit: String
        /// The value in `unit`; nil when disconnected or without a sample.
        public var value: Double?
        /// `value`, `disconnected` or `no-sample`.
        public var state: String
    }

    /// One applied event.
    public struct Event: Sendable, Codable, Equatable {
        /// Virtual seconds since the profile start.
        public var time: Double
        public var label: String
        public var name: String
        /// Set when the model refused the event.
        public var error: String?
    }

    /// The device clock.
    public struct Clock: Sendable, Codable, Equatable {
        /// Virtual seconds per wall second; nil for `max`.
        public var speed: Double?
        public var paused: Bool
    }

    /// Byte and line counters of the PTY endpoint.
    public struct Counters: Sendable, Codable, Equatable {
        public var linesWritten = 0
        public var bytesWritten = 0
        public var bytesDropped = 0
        public var bytesReceived = 0
        /// Port opens that reset the device (client reconnects).
        public var resets = 0
    }

    public var name: String
    public var profile: String
    /// Protocol name (empty when the profile could not be loaded).
    public var `protocol`: String
    /// Model type (`smoker`, `glucose`), if any.
    public var model: String?
    /// `embedded` or `process`.
    public var isolation: String
    /// `starting`, `running`, `restarting`, `stopped` or `failed`.
    public var status: DeviceStatus
    public var error: String?
    public var pty: String?
    public var link: String?
    /// The device's serial speed (8N1), once its PTY is open.
    public var baud: Int?
    /// Virtual seconds since the profile start (embedded devices).
    public var time: Double?
    public var clock: Clock?
    public var channels: [Channel]
    /// Model outputs by name, in their native units.
    public var outputs: [String: Double]
    public var counters: Counters?
    /// The latest applied events (at most 20), oldest first.
    public var events: [Event]
    /// Event types this device accepts.
    public var eventTypes: [String]
    /// Child process id (process isolation).
    public var pid: Int?
    /// Restarts after crashes (process isolation).
    public var restarts: Int
    public var exports: [ExportSnapshot]
}

/// The state of one TCP export.
public struct ExportSnapshot: Sendable, Codable, Equatable {
    /// `DEVICE/MODE` for exports of virtual devices, the configured name for host exports.
    public var name: String
    /// The device path served.
    public var device: String?
    public var mode: String
    /// `HOST:PORT` as configured.
    public var listen: String
    /// The port actually bound (differs from `listen` for port 0), while running.
    public var port: Int?
    /// `starting`, `running`, `stopped`, `failed` or `unavailable`.
    public var status: ExportStatus
    public var error: String?
    public var counters: ExportCounters

    /// `HOST:PORT` to connect to: the bound port while running, else as configured.
    public var address: String {
        guard let port, let colon = listen.lastIndex(of: ":") else { return listen }
        return "\(listen[..<colon]):\(port)"
    }
}
