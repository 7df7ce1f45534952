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
/// the event loop (reads) and the monitor thread (inotify and termios polls).
final class EndpointCore: Sendable {
    struct State: Sendable {
        var tracker = ClientOpenTracker()
        var statistics = PTYStatistics()
        /// Line settings last seen on the slave (what the app set).
        var lineSettings: LineSettings
        /// The write descriptor is closed; writes drop.
        var writeClosed = false
        /// The monitor must stop.
        var stopRequested = false
        /// The monitor stopped and closed the slave and inotify descriptors.
        var monitorExited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let slavePath: String
    let deviceSettings: LineSettings
    let emulateLineMismatch: Bool
    /// A dup of the master, non-blocking, used only for writes.
    let masterWriteFD: Int32
    /// Our own slave descriptor: keeps the PTY alive while apps close it.
    let slaveFD: Int32
    let inotifyFD: Int32
    let pollMilliseconds: Int32
    let logger: Logger
    let state: Mutex<State>
    let events: AsyncStream<PTYEvent>.Continuation
    let inbound: AsyncStream<[UInt8]>.Continuation

    init(
        slavePath: String, deviceSettings: LineSettings, emulateLineMismatch: Bool,
        masterWriteFD: Int32, slaveFD: Int32, inotifyFD: Int32, pollMilliseconds: Int32, logger: Logger,
        events: AsyncStream<PTYEvent>.Continuation, inbound: AsyncStream<[UInt8]>.Continuation
    ) {
        self.slavePath = slavePath
        self.deviceSettings = deviceSettings
        self.emulateLineMismatch = emulateLineMismatch
        self.masterWriteFD = masterWriteFD
        self.slaveFD = slaveFD
        self.inotifyFD = inotifyFD
        self.pollMilliseconds = pollMilliseconds
        self.logger = logger
        self.state = Mutex(State(lineSettings: deviceSettings))
        self.events = events
        self.inbound = inbound
    }

    // MARK: Device → app

    func write(_ bytes: [UInt8]) -> WriteResult {
        state.withLock { state in
            guard !state.writeClosed else { return WriteResult(written: 0, dropped: bytes.count) }
            var wire = bytes
            if emulateLineMismatch {
                refreshLineSettings(&state)
                wire = BaudMismatchCorruptor(sender: deviceSettings, receiver: state.lineSettings).transform(bytes)
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
        let appSettings = state.withLock { state in
            state.statistics.bytesReceived += bytes.count
            return state.lineSettings
        }
        if emulateLineMismatch {
            delivered = BaudMismatchCorruptor(sender: appSettings, receiver: deviceSettings).transform(bytes)
        }
        if !delivered.isEmpty { inbound.yield(delivered) }
    }

    // MARK: Line settings

    /// Reads the slave's termios; emits `.lineSettingsChanged` when it moved.
    /// Call with the lock held; only while the slave descriptor is open.
    private func refreshLineSettings(_ state: inout State) {
        guard !state.monitorExited,
            let current = try? LineSettings.read(fileDescriptor: slaveFD, path: slavePath),
            current != state.lineSettings
        else { return }
        state.lineSettings = current
        logger.debug("line settings changed", metadata: ["pty": "\(slavePath)", "settings": "\(current)"])
        events.yield(.lineSettingsChanged(current))
    }

    func currentLineSettings() throws(SerialIOError) -> LineSettings {
        let result: Result<LineSettings, SerialIOError> = state.withLock { state in
            guard !state.monitorExited else {
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

    // MARK: Monitor (runs on its own thread)

    func runMonitor() {
        var kinds = [Int32](repeating: 0, count: 64)
        while !state.withLock({ $0.stopRequested }) {
            let ready = devbridge_wait_readable(inotifyFD, pollMilliseconds)
            if ready == 1 {
                while true {
                    let count = Int(devbridge_inotify_read(inotifyFD, &kinds, Int32(kinds.count)))
                    guard count > 0 else { break }
                    for kind in kinds[0..<count] { handleWatch(kind: kind) }
                    if count < kinds.count { break }
                }
            }
            state.withLock { refreshLineSettings(&$0) }
        }
        // Stop watching before our own slave close, so it is never reported.
        Glibc.close(inotifyFD)
        let waiters = state.withLock { state in
            state.monitorExited = true
            Glibc.close(slaveFD)
            let waiters = state.exitWaiters
            state.exitWaiters = []
            return waiters
        }
        events.finish()
        for waiter in waiters { waiter.resume() }
    }

    private func handleWatch(kind: Int32) {
        state.withLock { state in
            switch kind {
            case Int32(DEVBRIDGE_WATCH_OPENED):
                state.statistics.clientOpens += 1
                let transition = state.tracker.clientOpened()
                state.statistics.openClients = state.tracker.openCount
                guard transition == .opened else { return }
                // The device's output while nobody listened is lost, as on a real port.
                _ = devbridge_flush_input(slaveFD)
                logger.debug("client opened", metadata: ["pty": "\(slavePath)"])
                events.yield(.opened)
                refreshLineSettings(&state)
            case Int32(DEVBRIDGE_WATCH_CLOSED):
                let transition = state.tracker.clientClosed()
                state.statistics.openClients = state.tracker.openCount
                guard transition == .closed else { return }
                logger.debug("client closed", metadata: ["pty": "\(slavePath)"])
                events.yield(.closed)
            default:
                break
            }
        }
    }

    /// Stops writes and asks the monitor to stop (it closes the slave).
    func requestStop() {
        state.withLock { state in
            if !state.writeClosed {
                state.writeClosed = true
                Glibc.close(masterWriteFD)
            }
            state.stopRequested = true
        }
    }

    func waitForMonitorExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = state.withLock { state in
                if state.monitorExited { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }
}
