import DevicePort
import NIOCore
import SerialIO
import Synchronization
import Traces

/// An export's view of an in-process ``DevicePort``: the TCP export as one more endpoint of the
/// device, beside its PTY link and any other export. Event-loop bound, like ``SerialDevice``.
///
/// The export's clients share one client line setting (what RFC 2217 clients set, starting at
/// the export's configured baud or the device's). While it differs from the device's, both
/// directions are garbled with ``BaudMismatchCorruptor``, on this export only. A change reaches
/// the device as a ``PortEvent`` before the RFC 2217 acknowledgement goes out, so there is
/// nothing to poll. DTR, RTS and BREAK reach the device as events too (a DTR drop and raise
/// resets a virtual device), and the device's modem status lines become NOTIFY-MODEMSTATE.
///
/// Over a host tty's port (``HostTTYPort``, `appliesClientSettings`) there is no emulation: the
/// clients' settings are the tty's, applied before the acknowledgement, which reports what the
/// tty took; flow control and purges reach it too, its receive errors become NOTIFY-LINESTATE,
/// and while it is away the export counts it closed. ``onDemand`` opens and closes it with the
/// export's open policy.
final class PortDevice {
    let port: DevicePort
    let eventLoop: any EventLoop
    let emulateMismatch: Bool
    /// The provider applies the clients' settings to the device on this loop (a host tty), so
    /// acknowledgements report the port's settings after the change.
    let appliesClientSettings: Bool
    /// Called with true when the export starts wanting the device and false when it stops.
    var onDemand: (Bool) -> Void = { _ in }
    var displayName: String { port.name }

    var onRead: (ByteBuffer) -> Void = { _ in }
    var onReadComplete: () -> Void = {}
    var onStateChange: (Bool) -> Void = { _ in }
    var onModemLines: (UInt8) -> Void = { _ in }
    var onLineErrors: (UInt8) -> Void = { _ in }
    var onWritable: (Bool) -> Void = { _ in }

    private(set) var opens = 0
    /// The device is there and attached (what the hub was last told).
    private var deviceOpen = false
    private(set) var clientSettings: LineSettings
    private var deviceSettings: LineSettings
    private var attachment: DevicePortAttachment?
    private var relay: Relay?
    private var dataTerminalReady = true
    private var requestToSend = true
    private var breakOn = false
    private var flow = FlowControl.none
    private let trace: TraceTap?
    private let allocator = ByteBufferAllocator()
    /// The hub's clients now (the relay's copy is read on the port's thread).
    private var clients = 0

    init(
        port: DevicePort, clientSettings: LineSettings?, emulateMismatch: Bool, trace: TraceTap?,
        eventLoop: any EventLoop, appliesClientSettings: Bool = false
    ) {
        self.port = port
        self.eventLoop = eventLoop
        self.emulateMismatch = emulateMismatch && !appliesClientSettings
        self.appliesClientSettings = appliesClientSettings
        self.trace = trace
        deviceSettings = port.lineSettings
        self.clientSettings = clientSettings ?? port.lineSettings
    }

    var isWritable: Bool { port.isWritable }
    var queuedBytes: Int { 0 }

    func start() {
        eventLoop.preconditionInEventLoop()
        guard attachment == nil else { return }
        let relay = Relay(NIOLoopBound(self, eventLoop: eventLoop))
        relay.readers.store(clients, ordering: .relaxed)
        guard let attachment = port.attach(relay, label: "tcp") else { return }
        self.relay = relay
        self.attachment = attachment
        deviceSettings = port.lineSettings
        if clientSettings != deviceSettings { attachment.signal(.lineSettings(clientSettings)) }
        onDemand(true)
        devicePresence(port.isPresent)
    }

    func stop() {
        guard let attachment else { return }
        attachment.detach()
        self.attachment = nil
        relay = nil
        onDemand(false)
        devicePresence(false, attached: true)
    }

    func write(_ buffer: ByteBuffer) -> Bool {
        guard let attachment, port.isPresent else { return false }
        attachment.send(garbled(Array(buffer.readableBytesView), from: clientSettings, to: deviceSettings))
        return true
    }

    func flush() {}

    func clientsChanged(_ count: Int) {
        clients = count
        relay?.readers.store(count, ordering: .relaxed)
    }

    // MARK: From the port (hopped onto the loop by the relay)

    fileprivate func deviceOutput(_ bytes: [UInt8]) {
        guard attachment != nil else { return }
        let wire = garbled(bytes, from: deviceSettings, to: clientSettings)
        guard !wire.isEmpty else { return }
        onRead(allocator.buffer(bytes: wire))
        onReadComplete()
    }

    fileprivate func deviceModemStatus(_ lines: ModemLines) {
        guard attachment != nil else { return }
        onModemLines(lines.comPortNibble)
    }

    fileprivate func deviceLineSettings(_ settings: LineSettings) {
        deviceSettings = settings
        if appliesClientSettings { clientSettings = settings }
    }

    /// The device is there (counted as an open) or went away.
    fileprivate func devicePresence(_ present: Bool, attached: Bool = false) {
        guard attached || attachment != nil, present != deviceOpen else { return }
        deviceOpen = present
        if present { opens += 1 }
        onStateChange(present)
        onModemLines(present ? port.modemStatus.comPortNibble : 0)
    }

    fileprivate func portClosed() {
        guard attachment != nil else { return }
        attachment = nil
        relay = nil
        devicePresence(false, attached: true)
    }

    private func garbled(_ bytes: [UInt8], from sender: LineSettings, to receiver: LineSettings) -> [UInt8] {
        guard emulateMismatch, sender != receiver else { return bytes }
        return BaudMismatchCorruptor(sender: sender, receiver: receiver).transform(bytes)
    }

    /// Applies a client's change to the export's line settings and tells the device at once.
    private func update(_ change: (inout LineSettings) -> Void) -> LineSettings {
        var settings = clientSettings
        change(&settings)
        guard (try? settings.validate()) != nil, settings != clientSettings else { return clientSettings }
        clientSettings = settings
        trace?.note(TraceEvent(settings))
        attachment?.signal(.lineSettings(settings))
        // A host tty has taken them by now: report what it has.
        if appliesClientSettings { clientSettings = port.lineSettings }
        return clientSettings
    }

    /// The port's endpoint: a `Sendable` face that moves every call onto the export's loop.
    private final class Relay: DevicePortEndpoint {
        let device: NIOLoopBound<PortDevice>
        /// The export's clients: device output with none connected is counted as dropped.
        let readers = Atomic<Int>(0)
        init(_ device: NIOLoopBound<PortDevice>) { self.device = device }

        var hasReader: Bool { readers.load(ordering: .relaxed) > 0 }

        /// Counted as taken while a client is connected (each client's own overflow is the hub's).
        func deviceOutput(_ bytes: [UInt8]) -> WriteResult {
            guard hasReader else { return WriteResult(written: 0, dropped: bytes.count) }
            onLoop { $0.deviceOutput(bytes) }
            return WriteResult(written: bytes.count, dropped: 0)
        }
        func deviceModemStatus(_ lines: ModemLines) { onLoop { $0.deviceModemStatus(lines) } }
        func deviceLineSettings(_ settings: LineSettings) { onLoop { $0.deviceLineSettings(settings) } }
        func deviceWritable(_ writable: Bool) { onLoop { $0.onWritable(writable) } }
        func devicePresence(_ present: Bool) { onLoop { $0.devicePresence(present) } }
        func deviceLineErrors(_ bits: UInt8) { onLoop { $0.onLineErrors(bits) } }
        func portClosed() { onLoop { $0.portClosed() } }

        /// Runs `work` on the export's loop, after what was handed over before it.
        private func onLoop(_ work: @escaping @Sendable (PortDevice) -> Void) {
            let device = device
            device.eventLoop.execute { work(device.value) }
        }
    }
}

extension PortDevice: ComPortTarget {
    func comPortSetBaud(_ baud: UInt32?) -> UInt32 {
        guard let baud, baud > 0 else { return UInt32(clamping: clientSettings.baud) }
        return UInt32(clamping: update { $0.baud = Int(baud) }.baud)
    }

    func comPortSetDataSize(_ size: UInt8?) -> UInt8 {
        guard let size, (5...8).contains(size) else { return UInt8(clientSettings.dataBits) }
        return UInt8(update { $0.dataBits = Int(size) }.dataBits)
    }

    func comPortSetParity(_ code: UInt8?) -> UInt8 {
        if let parity = code.flatMap(Parity.init(comPortCode:)) { _ = update { $0.parity = parity } }
        return clientSettings.parity.comPortCode
    }

    func comPortSetStopSize(_ size: UInt8?) -> UInt8 {
        if let size, size == 1 || size == 2 {
            _ = update { $0.stopBits = size == 1 ? .one : .two }
        }
        return UInt8(clientSettings.stopBits.rawValue)
    }

    func comPortControl(_ value: UInt8) -> UInt8 {
        switch value {
        case 0...3, 17...19:
            // Kept and echoed; a host tty applies it, a virtual device has none of its own.
            if let asked: FlowControl = [1: .none, 2: .software, 3: .hardware][value] { setFlow(asked) }
            return [FlowControl.none: 1, .software: 2, .hardware: 3][flow]!
        case 4...6:
            if value != 4, breakOn != (value == 5) {
                breakOn = value == 5
                if breakOn { trace?.note(.breakSignal) }
                attachment?.signal(.breakSignal(breakOn))
            }
            return breakOn ? 5 : 6
        case 7...9:
            if value != 7, dataTerminalReady != (value == 8) {
                dataTerminalReady = value == 8
                trace?.note(.modemLines(dtr: dataTerminalReady, rts: nil))
                attachment?.signal(.modemControl(dataTerminalReady: dataTerminalReady, requestToSend: nil))
            }
            return dataTerminalReady ? 8 : 9
        case 10...12:
            if value != 10, requestToSend != (value == 11) {
                requestToSend = value == 11
                trace?.note(.modemLines(dtr: nil, rts: requestToSend))
                attachment?.signal(.modemControl(dataTerminalReady: nil, requestToSend: requestToSend))
            }
            return requestToSend ? 11 : 12
        case 13...16:
            if let asked: FlowControl = [14: .none, 15: .software, 16: .hardware][value] { setFlow(asked) }
            return [FlowControl.none: 14, .software: 15, .hardware: 16][flow]!
        default:
            return value
        }
    }

    private func setFlow(_ asked: FlowControl) {
        guard asked != flow else { return }
        flow = asked
        attachment?.signal(.flowControl(asked))
    }

    /// Nothing is queued between the device and the hub; the device purges its own buffers.
    func comPortPurge(_ value: UInt8) {
        guard value & 3 != 0 else { return }
        attachment?.signal(.purge(input: value & 1 != 0, output: value & 2 != 0))
    }

    func comPortModemLines() -> UInt8 {
        attachment == nil || !port.isPresent ? 0 : port.modemStatus.comPortNibble
    }
}
