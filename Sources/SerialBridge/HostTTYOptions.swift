import SerialIO

/// How a host tty (a real serial port, or any tty by path) is opened and kept open, by an export
/// or by ``HostTTYPort``.
public struct HostTTYOptions: Sendable {
    /// The tty's path (a `/dev/serial/by-id/…` link follows the adapter across replugs).
    public var path: String
    /// Open with TIOCEXCL, so that no other program opens it meanwhile.
    public var exclusive: Bool
    /// Line settings to apply on every open (nil: keep the tty's).
    public var lineSettings: LineSettings?
    /// DTR to set on every open (nil: leave it).
    public var dtrOnOpen: Bool?
    /// RTS to set on every open (nil: leave it).
    public var rtsOnOpen: Bool?
    /// How often an absent device is looked for.
    public var reopenInterval: Duration
    /// Reopen after a hangup (false: the device ends at its first hangup).
    public var reopens: Bool

    /// Options for `path`: the tty's own settings, reopened every 200 ms while it is away.
    public init(
        path: String, exclusive: Bool = false, lineSettings: LineSettings? = nil, dtrOnOpen: Bool? = nil,
        rtsOnOpen: Bool? = nil, reopenInterval: Duration = .milliseconds(200), reopens: Bool = true
    ) {
        self.path = path
        self.exclusive = exclusive
        self.lineSettings = lineSettings
        self.dtrOnOpen = dtrOnOpen
        self.rtsOnOpen = rtsOnOpen
        self.reopenInterval = reopenInterval
        self.reopens = reopens
    }
}

extension ExportConfiguration {
    /// How the exported tty is opened and kept open.
    public var hostTTY: HostTTYOptions {
        HostTTYOptions(
            path: devicePath, exclusive: exclusive, lineSettings: lineSettings, dtrOnOpen: dtrOnOpen,
            rtsOnOpen: rtsOnOpen, reopenInterval: reopenInterval)
    }
}
