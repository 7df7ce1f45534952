import Logging
import SerialIO
import Synchronization

/// The endpoint apps open: a PTY (and its link, e.g. `/dev/ttyUSB0`) serving a ``DevicePort``.
///
/// Device output is written to the PTY master, garbled to what the app's own line settings
/// would receive (``PseudoTerminalEndpoint`` reads the slave's termios). What the app writes,
/// and its opens, closes and setting changes, go to the port's provider.
public final class PTYLinkEndpoint: DevicePortEndpoint {
    /// The PTY.
    public let pty: PseudoTerminalEndpoint
    /// Keep what the app could not take yet instead of dropping it (``open(port:link:emulateLineMismatch:lossless:logger:)``).
    public let lossless: Bool
    private let attachment: Mutex<DevicePortAttachment?> = Mutex(nil)
    private let tasks = Mutex<[Task<Void, Never>]>([])
    /// The app's line settings as last reported to the port.
    private let reportedSettings: Mutex<LineSettings?> = Mutex(nil)
    /// Output held back for the app (lossless only), at most ``backlogLimit`` bytes.
    private let backlog = Mutex<[UInt8]>([])
    /// Beyond this much held back, output is dropped even when lossless.
    public static let backlogLimit = 64 * 1024

    private init(pty: PseudoTerminalEndpoint, lossless: Bool) {
        self.pty = pty
        self.lossless = lossless
        // The slave starts at the device's settings: only a change by the app is news.
        reportedSettings.withLock { $0 = pty.deviceLineSettings }
    }

    /// Opens a PTY at the port's line settings, links `link` to it, and attaches it to `port`.
    ///
    /// With `lossless` (`--speed max`, where the device waits for its reader), output the app's
    /// input queue cannot take yet is held back and written as the app reads, rather than lost
    /// as a UART would lose it. The kernel moves bytes from the master to the app's queue a
    /// moment after each write, so the queue's length alone cannot promise room.
    public static func open(
        port: DevicePort, link: String?, emulateLineMismatch: Bool = true, lossless: Bool = false, logger: Logger
    ) async throws -> PTYLinkEndpoint {
        let pty = try await PseudoTerminalEndpoint.open(
            link: link, lineSettings: port.lineSettings,
            options: .init(emulateLineMismatch: emulateLineMismatch), logger: logger)
        let endpoint = PTYLinkEndpoint(pty: pty, lossless: lossless)
        guard let attachment = port.attach(endpoint, label: "pty") else {
            await pty.close()
            throw SerialIOError(code: .channelFailed, message: "device \(port.name) has stopped", path: pty.slavePath)
        }
        endpoint.attachment.withLock { $0 = attachment }
        let inbound = Task {
            for await bytes in pty.inbound {
                // The device hears of the app's settings before the bytes it wrote with them.
                endpoint.refreshClientSettings()
                attachment.send(bytes)
            }
        }
        let events = Task {
            for await event in pty.events {
                switch event {
                case .opened:
                    attachment.signal(.opened)
                    endpoint.refreshClientSettings()
                case .closed: attachment.signal(.closed)
                case .lineSettingsChanged(let settings): endpoint.report(settings)
                }
            }
        }
        endpoint.tasks.withLock { $0 = [inbound, events] }
        return endpoint
    }

    /// The slave's path, e.g. `/dev/pts/7`.
    public var slavePath: String { pty.slavePath }
    /// The link, if one was asked for.
    public var linkPath: String? { pty.linkPath }

    public func deviceOutput(_ bytes: [UInt8]) -> WriteResult {
        guard lossless else { return pty.write(bytes) }
        return backlog.withLock { backlog in
            guard pty.isOpenByClient else {
                backlog = []
                return WriteResult(written: 0, dropped: bytes.count)
            }
            backlog += bytes
            flush(&backlog)
            let over = max(0, backlog.count - Self.backlogLimit)
            backlog.removeFirst(over)
            return WriteResult(written: bytes.count - over, dropped: over)
        }
    }

    /// Writes what the app's queue takes of `backlog`, keeping the rest.
    private func flush(_ backlog: inout [UInt8]) {
        guard !backlog.isEmpty else { return }
        let written = pty.write(backlog).written
        backlog.removeFirst(written)
    }

    public func deviceLineSettings(_ settings: LineSettings) {
        try? pty.setDeviceLineSettings(settings)
    }

    public var hasReader: Bool { pty.isOpenByClient }
    /// The app has read all but a little of what it was sent (the slave's input queue), and
    /// nothing is held back for it.
    public var readyForMore: Bool {
        let heldBack = backlog.withLock { backlog in
            if !pty.isOpenByClient { backlog = [] }
            flush(&backlog)
            return !backlog.isEmpty
        }
        return !heldBack && pty.pendingClientBytes < 1024
    }

    public func refreshClientSettings() {
        if let settings = try? pty.currentLineSettings() { report(settings) }
    }

    /// Signals `settings` unless they are what was last reported. The signal is sent under the
    /// lock, so reports from the inbound, event and provider threads reach the device in order.
    private func report(_ settings: LineSettings) {
        let attachment = attachment.withLock { $0 }
        reportedSettings.withLock { reported in
            guard reported != settings else { return }
            reported = settings
            attachment?.signal(.lineSettings(settings))
        }
    }

    /// Closes the PTY, removes the link and detaches from the port. Idempotent. What the PTY
    /// reported up to its close (an app's last bytes, its close) still reaches the port.
    public func close() async {
        await pty.close()
        for task in tasks.withLock({ $0 }) { await task.value }
        attachment.withLock { $0 }?.detach()
    }
}
