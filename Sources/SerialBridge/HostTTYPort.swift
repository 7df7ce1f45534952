import DevicePort
import Logging
import NIOCore
import NIOPosix
import SerialIO
import Synchronization

/// A host tty (a real serial port, or any tty by path) as the provider of a ``DevicePort``, so
/// that any endpoint (the PTY link of `devbridge record`, the recorder, an export) serves it.
///
/// The tty is a ``SerialDevice``: the one reopen loop for unplug and replug. While it is away
/// the port says so (``DevicePort/setPresent(_:)``), its modem status lines drop, and what
/// endpoints send is dropped and counted; when it is back, the last line settings an endpoint
/// set are applied again. Endpoints' line settings, DTR, RTS and breaks are applied to the tty
/// (the last one set wins), and its modem status lines and UART receive errors reach the port.
///
/// ```swift
/// let tty = try await HostTTYPort.open(HostTTYOptions(path: "/dev/ttyUSB0"), logger: logger)
/// let link = try await PTYLinkEndpoint.open(port: tty.port, link: "/tmp/app", emulateLineMismatch: false, logger: logger)
/// await tty.waitUntilEnded()
/// ```
public final class HostTTYPort: DevicePortProvider {
    /// Byte and hangup counters.
    public struct Counters: Sendable, Equatable {
        /// Bytes endpoints sent to the device, dropped ones included.
        public var toDevice = 0
        /// Bytes the device produced.
        public var fromDevice = 0
        /// Endpoint bytes dropped while the device was away.
        public var droppedWhileAbsent = 0
        /// Endpoint bytes dropped because the device's output queue was full.
        public var droppedBackedUp = 0
        /// Times the device hung up.
        public var hangups = 0
        /// All zero.
        public init() {}
    }

    /// The port endpoints attach to.
    public let port: DevicePort
    /// The loop the tty is read and written on.
    public let eventLoop: any EventLoop
    private let device: NIOLoopBound<SerialDevice>
    private let logger: Logger
    private let counterState = Mutex(Counters())
    private let stopping = Atomic<Bool>(false)
    /// Set while ``keepOpen(_:)`` closes the tty (on the loop): that close is no hangup.
    private let closingOnPurpose = Atomic<Bool>(false)
    private let ended: AsyncStream<Never>
    private let endContinuation: AsyncStream<Never>.Continuation

    private init(port: DevicePort, device: NIOLoopBound<SerialDevice>, logger: Logger) {
        self.port = port
        self.device = device
        self.eventLoop = device.eventLoop
        self.logger = logger
        (ended, endContinuation) = AsyncStream.makeStream(of: Never.self)
    }

    /// Opens the tty now (throwing when it cannot be opened) and keeps it open until ``stop()``,
    /// or until its first hangup when `options.reopens` is false.
    public static func open(
        _ options: HostTTYOptions, eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        logger: Logger
    ) async throws -> HostTTYPort {
        try await eventLoop.submit {
            let device = SerialDevice(options: options, eventLoop: eventLoop, logger: logger)
            let tty = HostTTYPort(device: device, settings: try device.startOpeningNow(), logger: logger)
            tty.wire(device)
            return tty
        }.get()
    }

    /// A port for the tty that opens it only while ``keepOpen(_:)`` says so, waiting for it to
    /// appear if it is absent (an export's open policy). The port starts at `options.lineSettings`
    /// and follows the tty's once it is open.
    static func waiting(for options: HostTTYOptions, eventLoop: any EventLoop, logger: Logger) async throws
        -> HostTTYPort
    {
        try await eventLoop.submit {
            let device = SerialDevice(options: options, eventLoop: eventLoop, logger: logger)
            let tty = HostTTYPort(device: device, settings: options.lineSettings ?? .default9600, logger: logger)
            tty.port.setPresent(false)
            tty.wire(device)
            return tty
        }.get()
    }

    /// On the loop.
    private convenience init(device: SerialDevice, settings: LineSettings, logger: Logger) {
        self.init(
            port: DevicePort(name: device.path, lineSettings: settings),
            device: NIOLoopBound(device, eventLoop: device.eventLoop), logger: logger)
        port.setProvider(self)
    }

    /// Opens the tty (now, or as soon as it appears) while `wanted`, and closes it otherwise;
    /// a close asked for here is no hangup.
    func keepOpen(_ wanted: Bool) {
        let device = device
        eventLoop.execute { [self] in
            if wanted {
                device.value.start()
            } else {
                closingOnPurpose.store(true, ordering: .relaxed)
                device.value.stop()
                closingOnPurpose.store(false, ordering: .relaxed)
            }
        }
    }

    /// Counters so far.
    public var counters: Counters { counterState.withLock { $0 } }

    /// Returns once the tty has ended: after ``stop()``, or at a hangup when it does not reopen.
    public func waitUntilEnded() async {
        for await _ in ended {}
    }

    /// Closes the tty and the port (endpoints hear ``DevicePortEndpoint/portClosed()``). Idempotent.
    public func stop() async {
        stopping.store(true, ordering: .relaxed)
        let device = device
        try? await eventLoop.submit {
            device.value.stop()
            device.value.unwire()  // the callbacks hold this provider
        }.get()
        end()
    }

    private func end() {
        port.close()
        endContinuation.finish()
    }

    /// Connects the tty's callbacks (on the loop) to the port.
    private func wire(_ device: SerialDevice) {
        let port = port
        device.onRead = { [self] buffer in
            counterState.withLock { $0.fromDevice += buffer.readableBytes }
            port.emit(Array(buffer.readableBytesView))
        }
        device.onStateChange = { [unowned device, self] open in
            guard !stopping.load(ordering: .relaxed) else { return }
            if open {
                port.setLineSettings(device.lineSettingsInForce)
                port.setPresent(true)
                port.setModemStatus((try? device.port?.modemLines()) ?? [])
                return
            }
            guard !closingOnPurpose.load(ordering: .relaxed) else {
                port.setModemStatus([])
                port.setPresent(false)
                return
            }
            counterState.withLock { $0.hangups += 1 }
            port.setModemStatus([])
            port.setPresent(false)
            if !device.isRunning { end() }
        }
        device.onModemLines = { [unowned device] _ in
            port.setModemStatus((try? device.port?.modemLines()) ?? [])
        }
        device.onLineErrors = { bits in port.reportLineErrors(bits) }
        device.onWritable = { writable in port.setWritable(writable) }
    }

    // MARK: DevicePortProvider (any thread; the work moves onto the loop)

    /// On the tty's loop (an export's client) the bytes are written at once; from elsewhere they hop there.
    public func portReceived(_ bytes: [UInt8], from endpoint: EndpointID) {
        if eventLoop.inEventLoop { return write(bytes) }
        eventLoop.execute { [self] in write(bytes) }
    }

    /// On the loop.
    private func write(_ bytes: [UInt8]) {
        let device = device.value
        let outcome: WritePath
        if device.queuedBytes > SerialDevice.queueHardLimit {
            outcome = .backedUp
        } else if device.write(ByteBuffer(bytes: bytes)) {
            device.flushSoon()
            outcome = .written
        } else {
            outcome = .absent
        }
        counterState.withLock { counters in
            counters.toDevice += bytes.count
            switch outcome {
            case .written: break
            case .absent: counters.droppedWhileAbsent += bytes.count
            case .backedUp: counters.droppedBackedUp += bytes.count
            }
        }
    }

    private enum WritePath { case written, absent, backedUp }

    /// On the tty's loop (an export's RFC 2217 client) the change is made at once, so that the
    /// acknowledgement can report what the tty took (``DevicePort/lineSettings``); from elsewhere
    /// it hops there.
    public func portEvent(_ event: PortEvent, from endpoint: EndpointID) {
        if eventLoop.inEventLoop { return apply(event, from: endpoint) }
        eventLoop.execute { [self] in apply(event, from: endpoint) }
    }

    /// On the loop.
    private func apply(_ event: PortEvent, from endpoint: EndpointID) {
        let device = device.value
        switch event {
        case .lineSettings(let settings):
            let applied = device.apply(settings)
            port.setLineSettings(applied)
            logger.info("\(endpoint) set \(settings); applied to \(device.path)")
        case .modemControl(let dtr, let rts):
            if let dtr { _ = device.comPortControl(dtr ? 8 : 9) }
            if let rts { _ = device.comPortControl(rts ? 11 : 12) }
        case .breakSignal(let on):
            _ = device.comPortControl(on ? 5 : 6)
        case .flowControl(let flow):
            _ = device.comPortControl([FlowControl.none: 1, .software: 2, .hardware: 3][flow]!)
        case .purge(let input, let output):
            device.comPortPurge((input ? 1 : 0) | (output ? 2 : 0))
        case .opened, .closed:
            break
        }
    }
}
