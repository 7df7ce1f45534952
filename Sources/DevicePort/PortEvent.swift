import SerialIO

/// What an endpoint's client did, as the device behind the port notices it.
///
/// A PTY link reports ``opened`` and ``closed`` when an app opens and closes it (a PTY has no
/// DTR line, so opening is the moment a real board sees DTR rise). A TCP export reports what its
/// RFC 2217 clients ask for: ``lineSettings(_:)``, ``modemControl(dataTerminalReady:requestToSend:)``
/// and ``breakSignal(_:)``, ``flowControl(_:)`` and ``purge(input:output:)`` (which only a host
/// tty acts on).
public enum PortEvent: Sendable, Equatable {
    /// The endpoint's client opened the port (nobody had it open before).
    case opened
    /// The endpoint's last client closed the port.
    case closed
    /// The client's line settings changed (its own baud and framing).
    case lineSettings(LineSettings)
    /// The client set DTR and/or RTS (nil: unchanged).
    case modemControl(dataTerminalReady: Bool?, requestToSend: Bool?)
    /// The client started (true) or ended (false) a break.
    case breakSignal(Bool)
    /// The client chose flow control (RFC 2217 SET-CONTROL); a host tty applies it.
    case flowControl(FlowControl)
    /// The client asked to discard the device's buffered input and/or output (RFC 2217 PURGE-DATA).
    case purge(input: Bool, output: Bool)
}

/// Identifies one endpoint attached to a ``DevicePort`` (for providers that keep per-endpoint state).
///
/// An endpoint that relays another process's endpoints (the pipe between the service and a
/// child process) gives each relayed endpoint its own identity through ``relayed``.
public struct EndpointID: Sendable, Hashable, CustomStringConvertible {
    /// The attachment's number on its port (1, 2, …).
    public let number: Int
    /// The relayed endpoint's number on the far side; 0 for the attachment itself.
    public let relayed: Int
    /// A short label such as `pty` or `tcp`, for logs.
    public let label: String

    init(number: Int, relayed: Int = 0, label: String) {
        self.number = number
        self.relayed = relayed
        self.label = label
    }

    public var description: String { relayed == 0 ? "\(label)#\(number)" : "\(label)#\(number).\(relayed)" }

    public static func == (lhs: EndpointID, rhs: EndpointID) -> Bool {
        lhs.number == rhs.number && lhs.relayed == rhs.relayed
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(number)
        hasher.combine(relayed)
    }
}
