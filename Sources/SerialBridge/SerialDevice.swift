import Logging
import NIOCore
import NIOPosix
import SerialIO
import Traces

/// The exported device: a tty (real serial port or PTY) opened by path,
/// read and written on the export's event loop, reopened when it hangs up
/// or appears. Event-loop bound (not Sendable).
///
/// Settings asked for by RFC 2217 clients are remembered and re-applied on
/// every reopen; while the device is absent they are acknowledged as the
/// values that will be in force. Devices without modem lines (PTYs) keep
/// DTR/RTS/BREAK as shadow state so every SET-CONTROL is still answered.
final class SerialDevice: ComPortTarget {
    let path: String
    let eventLoop: any EventLoop
    let configuration: ExportConfiguration
    let logger: Logger

    /// Called with every chunk the device produced.
    var onRead: (ByteBuffer) -> Void = { _ in }
    /// Called when the device opens (true) or goes away (false).
    var onStateChange: (Bool) -> Void = { _ in }
    /// Called when the modem lines (RFC 2217 high nibble) change.
    var onModemLines: (UInt8) -> Void = { _ in }
    /// Called with NOTIFY-LINESTATE error bits when the UART counted receive errors (real ports only).
    var onLineErrors: (UInt8) -> Void = { _ in }
    /// Called when writes to the device back up (false) or drain (true).
    var onWritable: (Bool) -> Void = { _ in }

    private(set) var port: SerialPort?
    private var channel: (any Channel)?
    /// The ``DeviceHandler``'s context: writes start there (no generic `Channel.write`).
    fileprivate var context: ChannelHandlerContext?
    private var wanted: LineSettings?
    private var wantedFlow: FlowControl?
    private var dtr: Bool?
    private var rts: Bool?
    private var breakOn = false
    /// Device bytes still to drop for a client's PURGE-DATA of the receive buffer.
    private var purgedInput = 0
    private var running = false
    private var opening = false
    private var retryTask: Scheduled<Void>?
    private var modemTask: Scheduled<Void>?
    private var lastModemLines: UInt8 = 0
    private var lineErrors: LineStateTracker?
    private(set) var opens = 0

    init(configuration: ExportConfiguration, eventLoop: any EventLoop, logger: Logger) {
        self.path = configuration.devicePath
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
        self.wanted = configuration.lineSettings
        self.dtr = configuration.dtrOnOpen
        self.rts = configuration.rtsOnOpen
    }

    var isOpen: Bool { channel != nil }

    /// Starts keeping the device open (opening it now or as soon as it appears).
    func start() {
        eventLoop.preconditionInEventLoop()
        guard !running else { return }
        running = true
        tryOpen()
    }

    /// Stops keeping the device open and closes it.
    func stop() {
        running = false
        retryTask?.cancel()
        retryTask = nil
        let wasOpen = channel != nil
        closeDevice()
        if wasOpen { onStateChange(false) }
    }

    /// Writes a client's chunk to the device in one piece. False when the device is absent.
    /// The write is flushed by ``flush()`` (the hub calls it once per batch of client reads).
    func write(_ buffer: ByteBuffer) -> Bool {
        guard channel != nil, let context else { return false }
        context.write(NIOAny(buffer), promise: nil)
        return true
    }

    /// Flushes writes to the device.
    func flush() { context?.flush() }

    /// Called after a batch of device reads.
    var onReadComplete: () -> Void = {}

    private func tryOpen() {
        guard running, channel == nil, !opening else { return }
        let port: SerialPort
        do {
            port = try SerialPort.open(path: path, exclusive: configuration.exclusive)
            try configure(port)
        } catch {
            if opens == 0 && retryTask == nil {
                logger.info("waiting for device", metadata: ["device": "\(path)", "reason": "\(error)"])
            }
            scheduleRetry()
            return
        }
        let input: Int32
        let output: Int32
        do {
            (input, output) = try port.duplicateDescriptors()
        } catch {
            port.close()
            scheduleRetry()
            return
        }
        opening = true
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        NIOPipeBootstrap(group: eventLoop)
            // Room for bursts before clients are paused: fewer pause/resume cycles at full speed.
            .channelOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 128 * 1024, high: 512 * 1024))
            .channelOption(
                ChannelOptions.recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(
                    minimum: 64, initial: 4096, maximum: 65536)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DeviceHandler(bound.value))
                }
            }
            .takingOwnershipOfDescriptors(input: input, output: output)
            .assumeIsolated()
            .whenComplete { result in
                self.opening = false
                switch result {
                case .success(let channel):
                    guard self.running else {
                        channel.close(promise: nil)
                        port.close()
                        return
                    }
                    self.port = port
                    self.channel = channel
                    self.purgedInput = 0
                    self.opens += 1
                    self.logger.info("device open", metadata: ["device": "\(self.path)", "opens": "\(self.opens)"])
                    self.startModemPolling()
                    self.onStateChange(true)
                case .failure(let error):
                    self.logger.warning(
                        "cannot read device", metadata: ["device": "\(self.path)", "error": "\(error)"])
                    port.close()
                    self.scheduleRetry()
                }
            }
    }

    private func configure(_ port: SerialPort) throws {
        port.disableHangupOnClose()
        let settings = try wanted ?? port.lineSettings()
        try port.setLineSettings(settings, makeRaw: true)
        if let wantedFlow { try? port.setFlowControl(wantedFlow) }
        if dtr != nil || rts != nil {
            try? port.setModemLines(dtr: dtr, rts: rts)
        }
    }

    private func scheduleRetry() {
        guard running, retryTask == nil else { return }
        retryTask = eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.reopenInterval)) {
            self.retryTask = nil
            self.tryOpen()
        }
    }

    fileprivate func hungUp() {
        guard channel != nil else { return }
        logger.info("device closed (hangup or unplug); will reopen", metadata: ["device": "\(path)"])
        closeDevice()
        onStateChange(false)
        scheduleRetry()
    }

    private func closeDevice() {
        modemTask?.cancel()
        modemTask = nil
        let channel = self.channel
        self.channel = nil
        context = nil
        channel?.close(promise: nil)
        port?.close()
        port = nil
    }

    fileprivate func received(_ buffer: ByteBuffer) {
        guard purgedInput > 0 else { return onRead(buffer) }
        var rest = buffer
        let dropped = min(purgedInput, rest.readableBytes)
        rest.moveReaderIndex(forwardBy: dropped)
        purgedInput -= dropped
        if rest.readableBytes > 0 { onRead(rest) }
    }
    fileprivate func readComplete() { onReadComplete() }
    fileprivate func writabilityChanged(_ writable: Bool) { onWritable(writable) }

    /// Polls modem lines and UART error counters every 100 ms, where the device has them (a PTY has neither).
    private func startModemPolling() {
        guard let port else { return }
        let hasModemLines = (try? port.modemLines()) != nil
        lineErrors = (try? port.lineErrorCounts()).map { LineStateTracker(counts: $0) }
        guard hasModemLines || lineErrors != nil else { return }
        lastModemLines = currentModemNibble()
        scheduleModemPoll()
    }

    private func scheduleModemPoll() {
        modemTask = eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(100)) { [weak self] in
            guard let self, let port = self.port else { return }
            let lines = self.currentModemNibble()
            if lines != self.lastModemLines {
                self.lastModemLines = lines
                self.onModemLines(lines)
            }
            if var tracker = self.lineErrors, let counts = try? port.lineErrorCounts() {
                let bits = tracker.update(counts)
                self.lineErrors = tracker
                if bits != 0 { self.onLineErrors(bits) }
            }
            self.scheduleModemPoll()
        }
    }

    private func currentModemNibble() -> UInt8 {
        guard let lines = try? port?.modemLines() else { return 0 }
        var nibble: UInt8 = 0
        if lines.contains(.carrierDetect) { nibble |= 0x80 }
        if lines.contains(.ringIndicator) { nibble |= 0x40 }
        if lines.contains(.dataSetReady) { nibble |= 0x20 }
        if lines.contains(.clearToSend) { nibble |= 0x10 }
        return nibble
    }

    // MARK: - ComPortTarget

    private func current() -> LineSettings {
        if let port, let settings = try? port.lineSettings() { return settings }
        return wanted ?? .default9600
    }

    private func update(_ change: (inout LineSettings) -> Void) -> LineSettings {
        var settings = current()
        change(&settings)
        guard (try? settings.validate()) != nil else { return current() }
        wanted = settings
        if let port { try? port.setLineSettings(settings, makeRaw: false) }
        let now = current()
        configuration.trace?.note(
            .lineSettings(
                baud: now.baud, dataBits: now.dataBits, parity: now.parity.letter, stopBits: now.stopBits.rawValue))
        return now
    }

    func comPortSetBaud(_ baud: UInt32?) -> UInt32 {
        guard let baud else { return UInt32(clamping: current().baud) }
        return UInt32(clamping: update { $0.baud = Int(baud) }.baud)
    }

    func comPortSetDataSize(_ size: UInt8?) -> UInt8 {
        guard let size, (5...8).contains(size) else { return UInt8(current().dataBits) }
        return UInt8(update { $0.dataBits = Int(size) }.dataBits)
    }

    func comPortSetParity(_ code: UInt8?) -> UInt8 {
        let table: [Parity] = [.none, .odd, .even, .mark, .space]
        if let code, (1...5).contains(code) {
            let parity = table[Int(code) - 1]
            _ = update { $0.parity = parity }
        }
        let parity = current().parity
        return UInt8(table.firstIndex(of: parity)! + 1)
    }

    func comPortSetStopSize(_ size: UInt8?) -> UInt8 {
        if let size, size == 1 || size == 2 {
            _ = update { $0.stopBits = size == 1 ? .one : .two }
        }
        return UInt8(current().stopBits.rawValue)
    }

    func comPortControl(_ value: UInt8) -> UInt8 {
        switch value {
        case 0...3, 17...19:
            if let flow: FlowControl = [1: .none, 2: .software, 3: .hardware][value] {
                wantedFlow = flow
                try? port?.setFlowControl(flow)
            }
            let flow = (try? port?.flowControl()) ?? wantedFlow ?? FlowControl.none
            return [FlowControl.none: 1, .software: 2, .hardware: 3][flow]!
        case 4...6:
            if value != 4 {
                breakOn = value == 5
                try? port?.setBreak(breakOn)
                if breakOn { configuration.trace?.note(.breakSignal) }
            }
            return breakOn ? 5 : 6
        case 7...9:
            if value != 7 {
                dtr = value == 8
                try? port?.setModemLines(dtr: dtr, rts: nil)
                configuration.trace?.note(.modemLines(dtr: dtr, rts: nil))
            }
            return lineState(.dataTerminalReady, shadow: dtr) ? 8 : 9
        case 10...12:
            if value != 10 {
                rts = value == 11
                try? port?.setModemLines(dtr: nil, rts: rts)
                configuration.trace?.note(.modemLines(dtr: nil, rts: rts))
            }
            return lineState(.requestToSend, shadow: rts) ? 11 : 12
        case 13...16:
            if value != 13 {
                let flow: FlowControl = [14: .none, 15: .software, 16: .hardware][value]!
                wantedFlow = flow
                try? port?.setFlowControl(flow)
            }
            let flow = (try? port?.flowControl()) ?? wantedFlow ?? FlowControl.none
            return [FlowControl.none: 14, .software: 15, .hardware: 16][flow]!
        default:
            return value
        }
    }

    private func lineState(_ line: ModemLines, shadow: Bool?) -> Bool {
        if let port, let lines = try? port.modemLines() { return lines.contains(line) }
        return shadow ?? true
    }

    func comPortPurge(_ value: UInt8) {
        guard let port else { return }
        // The receive buffer is purged by dropping, as they are read, the bytes the tty holds now.
        // tcflush(TCIFLUSH) would take away bytes epoll may already have reported to NIO as readable.
        if value & 1 != 0 { purgedInput = port.inputQueueLength() }
        if value & 2 != 0 { port.discardOutput() }
    }

    func comPortModemLines() -> UInt8 { port == nil ? 0 : currentModemNibble() }
}

/// Reads device bytes into the device object and reports hangups.
private final class DeviceHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    unowned let device: SerialDevice

    init(_ device: SerialDevice) { self.device = device }

    func handlerAdded(context: ChannelHandlerContext) {
        device.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        device.received(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        device.readComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        device.hungUp()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        device.writabilityChanged(context.channel.isWritable)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
