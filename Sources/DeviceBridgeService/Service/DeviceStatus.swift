/// Where a virtual device is in its life, as the control API reports it (`status`).
public enum DeviceStatus: String, Sendable, Codable, Equatable {
    /// Opening its PTY (embedded) or starting its child (process).
    case starting
    /// Serving.
    case running
    /// A process-isolated device whose child died, waiting out its backoff.
    case restarting
    /// Stopped through the API, a reload or shutdown.
    case stopped
    /// Could not start (see the snapshot's `error`).
    case failed

    /// Starting, running or restarting: the device holds (or will hold) its link.
    public var isActive: Bool { self == .starting || self == .running || self == .restarting }
}

/// Where an export is, as the control API reports it (`status`).
public enum ExportStatus: String, Sendable, Codable, Equatable {
    /// Binding its port.
    case starting
    /// Listening.
    case running
    /// Stopped with its device.
    case stopped
    /// Could not bind (see the snapshot's `error`).
    case failed
    /// Its mode needs a module this build does not have.
    case unavailable
}
