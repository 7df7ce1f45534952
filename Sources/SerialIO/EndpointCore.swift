import CLinuxSupport
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The shared, thread-safe heart of a ``PseudoTerminalEndpoint``: the
/// descriptors it owns besides the NIO channel, the open tracker, the
/// counters and the event stream. Used from the caller's threads (writes),
/// the event loop (reads) and the shared ``PTYMonitor`` thread (inotify
/// notifications and termios polls).
final class EndpointCore: Sendable {
    struct State: Sendable {
        var tracker = ClientOpenTracker()
        var statistics = PTYStatistics()
        /// Line settings last seen on the slave (what the app set).
        var lineSettings: LineSettings
        /// The device's line settings (what it transmits and receives at).
        var deviceSettings: LineSettings
        /// The write descriptor is closed; writes drop.
        var writeClosed = false
        /// The watch descriptor in the ``PTYMonitor``'s inotify instance.
        var watch: Int32?
        /// Unwatched and the slave descriptor closed.
        var detached = false
    }

    let slavePath: String
    let emulateLineMismatch: Bool
    /// The master, non-blocking, also read by the NIO channel that owns (and closes) it; written
    /// here only while ``State/writeClosed`` is false.
    let masterWriteFD: Int32
    /// Our own slave descriptor: keeps the PTY alive while apps close it.
    let slaveFD: Int32
    let logger: Logger
    let state: Mutex<State>
    let events: AsyncStream<PTYEvent>.Continuation
    let inbound: AsyncStream<[UInt8]>.Continuation

    init(
        slavePath: String, deviceSettings: LineSettings, emulateLineMismatch: Bool,
        masterWriteFD: Int32, slaveFD: Int32, logger: Logger,
        events: AsyncStream<PTYEvent>.Continuation, inbound: AsyncStream<[UInt8]>.Continuation
    ) {
        self.slavePath = slavePath
        self.emulateLineMismatch = emulateLineMismatch
        self.masterWriteFD = masterWriteFD
        self.slaveFD = slaveFD
        self.logger = logger
        self.state = Mutex(State(lineSettings: deviceSettings, deviceSettings: deviceSettings))
        self.events = events
        self.inbound = inbound
    }

    // MARK: Device → app

    func write(_ bytes: [UInt8]) -> WriteResult {
        state.withLock { state in
            guard !state.writeClosed else { return WriteResult(written: 0, dropped: bytes.count) }
            // Nobody has the port open: the output is lost, as a real port's is. (Dropping it here,
            // rather than flushing the queue when an open is noticed, never races an app that
            // has just opened the port and is about to read.)
            guard state.statistics.openClients > 0 else {
                state.statistics.bytesDropped += bytes.count
                return WriteResult(written: 0, dropped: bytes.count)
            }
            var wire = bytes
            if emulateLineMismatch {
                refreshLineSettings(&state)
                let corruptor = BaudMismatchCorruptor(sender: state.deviceSettings, receiver: state.lineSettings)
                wire = corruptor.transform(bytes)
            }
            var written = 0
            while written < wire.count {
                let n = wire.withUnsafeBytes { raw in
                    Glibc.write(masterWriteFD, raw.baseAddress! + written, raw.count - written)
                }
                if n > 0 {
                    written += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    break  // EAGAIN: the client's input queue is full; a UART would lose the rest too.
                }
            }
            let result = WriteResult(written: written, dropped: wire.count - written)
            state.statistics.bytesWritten += result.written
            state.statistics.bytesDropped += result.dropped
            return result
        }
    }

    // MARK: App → device

    func received(_ bytes: [UInt8]) {
        var delivered = bytes
        let (appSettings, deviceSettings) = state.withLock { state in
            state.statistics.bytesReceived += bytes.count
            if state.tracker.openCount == 0, !state.detached {
                let path = slavePath
                if state.tracker.clientWrote(held: { SlaveHolders.isHeldElsewhere(path: path) }) == .opened {
                    state.statistics.clientOpens += 1
                    state.statistics.openClients = state.tracker.openCount
                    logger.debug("client opened (seen by its bytes first)", metadata: ["pty": "\(slavePath)"])
                    events.yield(.opened)
                    refreshLineSettings(&state)
                }
            }
            return (state.lineSettings, state.deviceSettings)
        }
        if emulateLineMismatch {
            delivered = BaudMismatchCorruptor(sender: appSettings, receiver: deviceSettings).transform(bytes)
        }
        if !delivered.isEmpty { inbound.yield(delivered) }
    }

    // MARK: Line settings

    /// The device's line settings; changing them leaves the app's (the slave's termios) alone.
    var deviceSettings: LineSettings {
        get { state.withLock { $0.deviceSettings } }
        set { state.withLock { $0.deviceSettings = newValue } }
    }

    /// Reads the slave's termios; emits `.lineSettingsChanged` when it moved.
    /// Call with the lock held; only while the slave descriptor is open.
    private func refreshLineSettings(_ state: inout State) {
        guard !state.detached,
            let current = try? LineSettings.read(fileDescriptor: slaveFD, path: slavePath),
            current != state.lineSettings
        else { return }
        state.lineSettings = current
        logger.debug("line settings changed", metadata: ["pty": "\(slavePath)", "settings": "\(current)"])
        events.yield(.lineSettingsChanged(current))
    }

    func currentLineSettings() throws(SerialIOError) -> LineSettings {
        let result: Result<LineSettings, SerialIOError> = state.withLock { state in
            guard !state.detached else {
                return .failure(
                    SerialIOError(
                        code: .lineSettingsFailed, message: "\(slavePath) is closed", path: slavePath))
            }
            refreshLineSettings(&state)
            return .success(state.lineSettings)
        }
        return try result.get()
    }

    var statistics: PTYStatistics {
        state.withLock { $0.statistics }
    }

    /// Bytes queued on the slave for the app to read (0 once closed).
    var pendingClientBytes: Int {
        state.withLock { state in
            guard !state.detached else { return 0 }
            return Int(max(0, devbridge_input_queue_length(slaveFD)))
        }
    }

    // MARK: Monitor (called on the PTYMonitor thread)

    /// Polls termios (the monitor's timer).
    func pollLineSettings() {
        state.withLock { refreshLineSettings(&$0) }
    }

    /// Handles one inotify notification of the slave node.
    func handleWatch(kind: Int32) {
        state.withLock { state in
            guard !state.detached else { return }
            switch kind {
            case Int32(DEVBRIDGE_WATCH_OPENED):
                state.statistics.clientOpens += 1
                let transition = state.tracker.clientOpened()
                state.statistics.openClients = state.tracker.openCount
                guard transition == .opened else { return }
                logger.debug("client opened", metadata: ["pty": "\(slavePath)"])
                events.yield(.opened)
                refreshLineSettings(&state)
            case Int32(DEVBRIDGE_WATCH_CLOSED):
                let path = slavePath
                let transition = state.tracker.clientClosed { SlaveHolders.isHeldElsewhere(path: path) }
                state.statistics.openClients = state.tracker.openCount
                guard transition == .closed else { return }
                logger.debug("client closed", metadata: ["pty": "\(slavePath)"])
                events.yield(.closed)
            default:
                break
            }
        }
    }

    /// Registers with the process's ``PTYMonitor``; call once, after our
    /// own opens of the slave.
    func startWatching(pollInterval: Duration) throws(SerialIOError) {
        let wd = try PTYMonitor.shared.register(self, pollInterval: pollInterval)
        state.withLock { $0.watch = wd }
    }

    /// Stops writes and stops watching (before our own slave close, so that
    /// is never reported). Idempotent.
    func stopWatching() {
        let watch: Int32? = state.withLock { state in
            state.writeClosed = true
            defer { state.watch = nil }
            return state.watch
        }
        if let watch { PTYMonitor.shared.unregister(watch: watch) }
    }

    /// Stops watching, closes our slave descriptor and finishes ``events``.
    /// Call after the master's channel closed (else its read sees `EIO`).
    /// Idempotent.
    func shutDown() {
        stopWatching()
        let closedNow = state.withLock { state in
            guard !state.detached else { return false }
            state.detached = true
            Glibc.close(slaveFD)
            return true
        }
        if closedNow { events.finish() }
    }
}
