import SerialIO

/// Something that serves a ``DevicePort`` to its users: the PTY link apps open, a TCP export, the
/// recorder, and later a USB function, an ESPHome serial proxy or a BLE peripheral.
///
/// The port calls these from the provider's thread, in order; implementations hand the work to
/// their own thread or event loop if they have one, and never block.
public protocol DevicePortEndpoint: AnyObject, Sendable {
    /// Device output for this endpoint's client. Each endpoint applies its own client line
    /// settings (a client at the wrong baud reads garbage, only on this endpoint). Returns how
    /// much the client took; bytes it could not take are lost, as a UART loses them.
    func deviceOutput(_ bytes: [UInt8]) -> WriteResult
    /// The device's modem status lines changed (CTS, DSR, DCD, RI).
    func deviceModemStatus(_ lines: ModemLines)
    /// The device's own line settings changed (a replayed device switching baud).
    func deviceLineSettings(_ settings: LineSettings)
    /// The device backed up (false: stop reading clients) or drained (true).
    func deviceWritable(_ writable: Bool)
    /// The device went away (false; a host tty unplugged) or came back (true).
    func devicePresence(_ present: Bool)
    /// The device's UART counted receive errors (RFC 2217 NOTIFY-LINESTATE bits).
    func deviceLineErrors(_ bits: UInt8)
    /// The device stopped: the port will carry nothing more.
    func portClosed()
    /// Reports the client's line settings now, through the attachment, if they changed since
    /// last reported. For endpoints that learn of changes late (a PTY's termios); the provider
    /// asks before it needs them (``DevicePort/refreshClientSettings()``).
    func refreshClientSettings()
    /// True when a client is there to read (an app has the PTY open, a TCP client is connected).
    var hasReader: Bool { get }
    /// False while this endpoint's client has a backlog (`--speed max` waits for every reader).
    var readyForMore: Bool { get }

    /// True for an endpoint that also hears what the other endpoints' clients send and do (the
    /// recorder), through ``clientSent(_:from:)`` and ``clientEvent(_:from:)``. Read once, at attach.
    var observesClients: Bool { get }
    /// Bytes another endpoint's client sent to the device (observers only), before the provider gets them.
    func clientSent(_ bytes: [UInt8], from endpoint: EndpointID)
    /// Something another endpoint's client did (observers only), before the provider hears of it.
    func clientEvent(_ event: PortEvent, from endpoint: EndpointID)
}

extension DevicePortEndpoint {
    public func deviceModemStatus(_ lines: ModemLines) {}
    public func deviceLineSettings(_ settings: LineSettings) {}
    public func deviceWritable(_ writable: Bool) {}
    public func devicePresence(_ present: Bool) {}
    public func deviceLineErrors(_ bits: UInt8) {}
    public func portClosed() {}
    public func refreshClientSettings() {}
    public var hasReader: Bool { true }
    public var readyForMore: Bool { true }
    public var observesClients: Bool { false }
    public func clientSent(_ bytes: [UInt8], from endpoint: EndpointID) {}
    public func clientEvent(_ event: PortEvent, from endpoint: EndpointID) {}
}

/// What a provider (a virtual device, a host tty, a trace replay) does with what endpoints send.
/// Called on the endpoint's thread, possibly while the endpoint holds a lock of its own:
/// implementations must be thread-safe, never block, and not call back into the endpoint
/// (``DevicePort/emit(_:)`` and the other port calls are fine).
public protocol DevicePortProvider: AnyObject, Sendable {
    /// Bytes from an endpoint's client, already passed through that endpoint's line settings.
    func portReceived(_ bytes: [UInt8], from endpoint: EndpointID)
    /// Something an endpoint's client did (open, close, settings, DTR/RTS, break).
    func portEvent(_ event: PortEvent, from endpoint: EndpointID)
}
