/// When a device behind a port resets, as a board behind a USB serial adapter does when DTR
/// rises: a client opening the port (a PTY has no DTR line; opening it is the moment DTR rises),
/// or a client raising DTR after dropping it (RFC 2217 SET-CONTROL). DTR low alone, or a
/// client connecting over TCP with DTR already up, does not reset. A pure value: feed it the
/// port's events.
public struct ResetTrigger: Sendable, Equatable {
    /// False: the device never resets on its clients' account (`--no-reset-on-open`).
    public var enabled: Bool
    /// DTR as each endpoint's client last set it.
    private var dataTerminalReady: [EndpointID: Bool] = [:]

    /// Creates a trigger.
    public init(enabled: Bool = true) {
        self.enabled = enabled
    }

    /// Takes one event; true when the device should reset now.
    public mutating func shouldReset(after event: PortEvent, from endpoint: EndpointID) -> Bool {
        switch event {
        case .opened:
            dataTerminalReady[endpoint] = true
            return enabled
        case .closed:
            dataTerminalReady[endpoint] = nil
            return false
        case .modemControl(let dtr?, _):
            let wasLow = dataTerminalReady[endpoint] == false
            dataTerminalReady[endpoint] = dtr
            return enabled && dtr && wasLow
        case .modemControl, .lineSettings, .breakSignal, .flowControl, .purge:
            return false
        }
    }
}
