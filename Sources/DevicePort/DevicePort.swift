import SerialIO
import Synchronization

/// One device, served to any number of endpoints at once, in process: the centre of devbridge's
/// byte path (see docs/architecture.md).
///
/// A *provider* drives the port: it sends the device's output with ``emit(_:)``, sets the
/// device's modem status lines and line settings, and hears from endpoints through its
/// ``DevicePortProvider`` conformance. *Endpoints* ``attach(_:label:)`` to the port and get a
/// ``DevicePortAttachment`` through which their clients' bytes and events reach the provider.
///
/// - Every endpoint gets every byte the device emits (fan-out without PTYs between them).
/// - Each endpoint keeps its own client line settings and emulates a baud mismatch itself, so
///   one client at the wrong baud garbles only its own stream.
/// - Backpressure: device output is never queued here. An endpoint takes what its client can
///   take and reports the rest as lost, as a UART overrun loses it. The provider asks
///   ``readyForMore`` when it can wait (`--speed max`). Towards the device, a provider that can
///   back up says so with ``setWritable(_:)`` and endpoints stop reading their clients.
///
/// Thread-safe: providers and endpoints may call from any thread. Calls into endpoints are made
/// outside the port's lock, in the order the provider made them.
public final class DevicePort: Sendable {
    /// The device's name, for logs.
    public let name: String
    private struct State {
        var provider: (any DevicePortProvider)?
        var endpoints: [(id: EndpointID, endpoint: any DevicePortEndpoint)] = []
        var nextID = 0
        var lineSettings: LineSettings
        var modemStatus: ModemLines = []
        var writable = true
        var present = true
        var closed = false
        /// The endpoints that hear what the others' clients send (a recorder).
        var observers: [any DevicePortEndpoint] = []
    }
    private let state: Mutex<State>
    /// Serialises calls into endpoints so that they see the provider's calls in order.
    private let delivery = Mutex(())

    /// Creates an open port for a device at `lineSettings`, with no provider yet.
    public init(name: String, lineSettings: LineSettings) {
        self.name = name
        state = Mutex(State(lineSettings: lineSettings))
    }

    // MARK: Provider side

    /// Sets who hears the endpoints' bytes and events. Until then they are dropped.
    public func setProvider(_ provider: any DevicePortProvider) {
        state.withLock { $0.provider = provider }
    }

    /// Sends device output to every endpoint. Returns the most any one endpoint's client took
    /// (`dropped`: bytes no client received at all).
    @discardableResult
    public func emit(_ bytes: [UInt8]) -> WriteResult {
        guard !bytes.isEmpty else { return WriteResult(written: 0, dropped: 0) }
        let endpoints = state.withLock { $0.closed ? [] : $0.endpoints }
        var best = 0
        delivery.withLock { _ in
            for entry in endpoints { best = max(best, entry.endpoint.deviceOutput(bytes).written) }
        }
        return WriteResult(written: best, dropped: bytes.count - best)
    }

    /// Sets the device's modem status lines (CTS, DSR, DCD, RI); endpoints hear of a change.
    public func setModemStatus(_ lines: ModemLines) {
        let status = lines.intersection(Self.statusLines)
        announce { state in
            guard state.modemStatus != status else { return false }
            state.modemStatus = status
            return true
        } to: {
            $0.deviceModemStatus(status)
        }
    }

    /// Changes the device's own line settings (what it transmits at); endpoints hear of it.
    public func setLineSettings(_ settings: LineSettings) {
        announce { state in
            guard state.lineSettings != settings else { return false }
            state.lineSettings = settings
            return true
        } to: {
            $0.deviceLineSettings(settings)
        }
    }

    /// Says whether the device takes more input now; endpoints pause their clients while false.
    public func setWritable(_ writable: Bool) {
        announce { state in
            guard state.writable != writable else { return false }
            state.writable = writable
            return true
        } to: {
            $0.deviceWritable(writable)
        }
    }

    /// Says whether the device is there (false: a host tty was unplugged, and is looked for).
    public func setPresent(_ present: Bool) {
        announce { state in
            guard state.present != present else { return false }
            state.present = present
            return true
        } to: {
            $0.devicePresence(present)
        }
    }

    /// Reports receive errors the device's UART counted, as RFC 2217 NOTIFY-LINESTATE bits
    /// (overrun 0x02, parity 0x04, framing 0x08, break 0x10).
    public func reportLineErrors(_ bits: UInt8) {
        guard bits != 0 else { return }
        announce { _ in
            true
        } to: {
            $0.deviceLineErrors(bits)
        }
    }

    /// Ends the port: every endpoint hears ``DevicePortEndpoint/portClosed()`` and is detached,
    /// and the provider hears nothing more.
    public func close() {
        announce { state in
            guard !state.closed else { return false }
            state.closed = true
            return true
        } to: {
            $0.portClosed()
        }
        state.withLock { state in
            state.endpoints = []
            state.observers = []
            state.provider = nil  // nothing more to deliver (and no cycle through a provider holding its port)
        }
    }

    /// Applies `change` to the state; when it reports a change, calls `tell` on every endpoint
    /// attached then, outside the state lock and in the provider's order.
    private func announce(
        _ change: (inout State) -> Bool, to tell: (any DevicePortEndpoint) -> Void
    ) {
        let endpoints = state.withLock { state in change(&state) ? state.endpoints : [] }
        delivery.withLock { _ in
            for entry in endpoints { tell(entry.endpoint) }
        }
    }

    /// True when some endpoint has a client reading and every such client has room for more.
    public var readyForMore: Bool {
        let endpoints = state.withLock { $0.endpoints }
        var readers = 0
        for entry in endpoints where entry.endpoint.hasReader {
            guard entry.endpoint.readyForMore else { return false }
            readers += 1
        }
        return readers > 0
    }

    /// Asks every endpoint to report its client's line settings now if they changed (the
    /// reports reach the provider before this returns). Call it without holding a lock that
    /// the provider's ``DevicePortProvider/portEvent(_:from:)`` takes.
    public func refreshClientSettings() {
        for entry in state.withLock({ $0.endpoints }) { entry.endpoint.refreshClientSettings() }
    }

    /// True when at least one endpoint has a client reading.
    public var hasReader: Bool {
        state.withLock { $0.endpoints }.contains { $0.endpoint.hasReader }
    }

    // MARK: Endpoint side

    /// The device's line settings now.
    public var lineSettings: LineSettings { state.withLock { $0.lineSettings } }
    /// The device's modem status lines now.
    public var modemStatus: ModemLines { state.withLock { $0.modemStatus } }
    /// False while the device takes no more input.
    public var isWritable: Bool { state.withLock { $0.writable } }
    /// False while the device is away (see ``setPresent(_:)``).
    public var isPresent: Bool { state.withLock { $0.present } }
    /// Endpoints attached now.
    public var endpointCount: Int { state.withLock { $0.endpoints.count } }

    /// Attaches an endpoint; it gets device output from now on. Returns nil when the port is closed.
    public func attach(_ endpoint: any DevicePortEndpoint, label: String) -> DevicePortAttachment? {
        let id: EndpointID? = state.withLock { state in
            guard !state.closed else { return nil }
            state.nextID += 1
            let id = EndpointID(number: state.nextID, label: label)
            state.endpoints.append((id, endpoint))
            if endpoint.observesClients { state.observers.append(endpoint) }
            return id
        }
        guard let id else { return nil }
        return DevicePortAttachment(port: self, id: id)
    }

    func detach(_ id: EndpointID) {
        state.withLock { state in
            guard let index = state.endpoints.firstIndex(where: { $0.id == id }) else { return }
            let endpoint = state.endpoints.remove(at: index).endpoint
            state.observers.removeAll { $0 === endpoint }
        }
    }

    /// Bytes from an endpoint's client: observers hear them first, then the provider.
    func fromEndpoint(_ id: EndpointID, _ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let (provider, observers) = state.withLock { ($0.provider, $0.observers) }
        for observer in observers { observer.clientSent(bytes, from: id) }
        provider?.portReceived(bytes, from: id)
    }

    /// An endpoint's client event: observers hear it first, then the provider.
    func fromEndpoint(_ id: EndpointID, event: PortEvent) {
        let (provider, observers) = state.withLock { ($0.provider, $0.observers) }
        for observer in observers { observer.clientEvent(event, from: id) }
        provider?.portEvent(event, from: id)
    }

    /// The lines a device drives (the rest belong to the app's side).
    static let statusLines: ModemLines = [.clearToSend, .dataSetReady, .carrierDetect, .ringIndicator]
}

/// An endpoint's handle on a ``DevicePort``: what its client sends goes through here.
public final class DevicePortAttachment: Sendable {
    /// The port attached to.
    public let port: DevicePort
    /// This endpoint's identity on the port.
    public let id: EndpointID
    private let detached = Mutex(false)

    init(port: DevicePort, id: EndpointID) {
        self.port = port
        self.id = id
    }

    /// Bytes the client wrote, for the device (after this endpoint's line-settings emulation).
    public func send(_ bytes: [UInt8]) {
        guard !detached.withLock({ $0 }) else { return }
        port.fromEndpoint(id, bytes)
    }

    /// Something the client did.
    public func signal(_ event: PortEvent) {
        guard !detached.withLock({ $0 }) else { return }
        port.fromEndpoint(id, event: event)
    }

    /// Bytes from a client of an endpoint on the far side of this one (`relayed`: its number
    /// there, 1 or more), kept apart from this endpoint's own for the provider.
    public func send(_ bytes: [UInt8], relayedFrom relayed: Int) {
        guard !detached.withLock({ $0 }) else { return }
        port.fromEndpoint(EndpointID(number: id.number, relayed: relayed, label: id.label), bytes)
    }

    /// Something a client of an endpoint on the far side of this one did (see ``send(_:relayedFrom:)``).
    public func signal(_ event: PortEvent, relayedFrom relayed: Int) {
        guard !detached.withLock({ $0 }) else { return }
        port.fromEndpoint(EndpointID(number: id.number, relayed: relayed, label: id.label), event: event)
    }

    /// Stops device output to this endpoint. Idempotent.
    public func detach() {
        guard
            detached.withLock({ value in
                defer { value = true }
                return !value
            })
        else { return }
        port.detach(id)
    }
}
