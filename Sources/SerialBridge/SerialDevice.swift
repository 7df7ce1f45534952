import Logging
import NIOCore
import NIOPosix
import SerialIO
import Traces

/// A host tty (real serial port or PTY) opened by path, read and written on
/// one event loop, and reopened when it hangs up or appears: the one reopen
/// loop, behind ``HostTTYPort`` (and so behind `export`, host exports and
/// `record`). Event-loop bound (not Sendable).
///
/// Settings asked for are remembered and re-applied on every reopen; while
/// the device is absent they are acknowledged as the values that will be in
/// force. Devices without modem lines (PTYs) keep DTR/RTS/BREAK as shadow
/// state so every SET-CONTROL is still answered.
final class SerialDevice {
    let path: String
    var displayName: String { path }
    let eventLoop: any EventLoop
    let options: HostTTYOptions
    /// Where RFC 2217 setting changes are noted, if the export records a trace.
    let trace: TraceTap?
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
    /// The ``SerialDeviceHandler``'s context: writes start there (no generic `Channel.write`).
    var context: ChannelHandlerContext?
    /// Line settings asked for (configuration or RFC 2217), re-applied on every reopen.
    var wanted: LineSettings?
    var wantedFlow: FlowControl?
    /// DTR/RTS/BREAK asked for: applied on reopen, and the shadow state where the device has no modem lines.
    var dtr: Bool?
    var rts: Bool?
    var breakOn = false
    /// Device bytes still to drop for a client's PURGE-DATA of the receive buffer.
    var purgedInput = 0
    private var running = false
    private var opening = false
    private var retryTask: Scheduled<Void>?
    private var modemTask: Scheduled<Void>?
    private var lastModemLines: UInt8 = 0
    private var lineErrors: LineStateTracker?
    private(set) var opens = 0

    init(options: HostTTYOptions, trace: TraceTap? = nil, eventLoop: any EventLoop, logger: Logger) {
        self.path = options.path
        self.options = options
        self.trace = trace
        self.eventLoop = eventLoop
        self.logger = logger
        self.wanted = options.lineSettings
        self.dtr = options.dtrOnOpen
        self.rts = options.rtsOnOpen
    }

    /// Drops every callback (what they captured is released).
    func unwire() {
        onRead = { _ in }
        onReadComplete = {}
        onStateChange = { _ in }
        onModemLines = { _ in }
        onLineErrors = { _ in }
        onWritable = { _ in }
    }

    var isOpen: Bool { channel != nil }
    /// True while the device is kept open (false once stopped, or after a hangup without reopening).
    var isRunning: Bool { running }

    /// Starts keeping the device open (opening it now or as soon as it appears).
    func start() {
        eventLoop.preconditionInEventLoop()
        guard !running else { return }
        running = true
        tryOpen()
    }

    /// Starts keeping the device open, which must be possible now: throws (and stays stopped)
    /// when it cannot be opened and configured. Returns the line settings in force.
    func startOpeningNow() throws -> LineSettings {
        eventLoop.preconditionInEventLoop()
        let port = try openPort()
        let settings = (try? port.lineSettings()) ?? wanted ?? .default9600
        running = true
        adopt(port)
        return settings
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

    /// False while writes to the device are backed up past its high-water mark.
    var isWritable: Bool { context?.channel.isWritable ?? true }

    /// The device's write queue: clients are paused above `queueHighWater` and read again below
    /// `queueLowWater`. Room for bursts before clients are paused: fewer pause/resume cycles at full speed.
    static let queueLowWater = 128 * 1024
    /// See `queueLowWater`.
    static let queueHighWater = 512 * 1024
    /// Client data beyond this much queued for the device is dropped (see ``ExportHub``).
    static let queueHardLimit = 4 * queueHighWater

    /// Bytes written to the device's channel and not yet taken by the kernel.
    var queuedBytes: Int {
        (try? context?.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
    }

    /// Flushes writes to the device.
    func flush() { context?.flush() }

    private var flushPending = false
    /// Flushes once the loop has handled this round of I/O, so that what several client reads
    /// wrote goes to the device in one system call.
    func flushSoon() {
        guard !flushPending else { return }
        flushPending = true
        eventLoop.assumeIsolated().execute {
            self.flushPending = false
            self.flush()
        }
    }

    /// Called after a batch of device reads.
    var onReadComplete: () -> Void = {}

    private func tryOpen() {
        guard running, channel == nil, !opening else { return }
        let port: SerialPort
        do {
            port = try openPort()
        } catch {
            if opens == 0 && retryTask == nil {
                logger.info("waiting for device", metadata: ["device": "\(path)", "reason": "\(error)"])
            }
            scheduleRetry()
            return
        }
        adopt(port)
    }

    /// Opens and configures the tty (closing it again if it cannot be configured).
    private func openPort() throws -> SerialPort {
        let port = try SerialPort.open(path: path, exclusive: options.exclusive)
        do {
            try configure(port)
        } catch {
            port.close()
            throw error
        }
        return port
    }

    /// Reads and writes an opened tty through a NIO pipe channel on the loop.
    private func adopt(_ port: SerialPort) {
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
            .channelOption(
                ChannelOptions.writeBufferWaterMark, value: .init(low: Self.queueLowWater, high: Self.queueHighWater)
            )
            .channelOption(
                ChannelOptions.recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(
                    minimum: 64, initial: 4096, maximum: 65536)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SerialDeviceHandler(bound.value))
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
        retryTask = eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(options.reopenInterval)) {
            self.retryTask = nil
            self.tryOpen()
        }
    }

    func hungUp() {
        guard channel != nil else { return }
        if !options.reopens { running = false }
        logger.info(
            "device closed (hangup or unplug)\(running ? "; will reopen" : "")", metadata: ["device": "\(path)"])
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

    func received(_ buffer: ByteBuffer) {
        guard purgedInput > 0 else { return onRead(buffer) }
        var rest = buffer
        let dropped = min(purgedInput, rest.readableBytes)
        rest.moveReaderIndex(forwardBy: dropped)
        purgedInput -= dropped
        if rest.readableBytes > 0 { onRead(rest) }
    }
    func readComplete() { onReadComplete() }
    func writabilityChanged(_ writable: Bool) { onWritable(writable) }

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

    func currentModemNibble() -> UInt8 {
        (try? port?.modemLines())?.comPortNibble ?? 0
    }
}
