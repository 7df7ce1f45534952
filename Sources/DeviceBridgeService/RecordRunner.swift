import Logging
import SerialIO
import ServiceLifecycle
import Synchronization
import Traces

/// `devbridge record`: interposes a PTY between an app and a real serial
/// device. The app opens the PTY's link; its bytes go to the device and the
/// device's bytes come back, line-setting changes the app makes are applied
/// to the device, and everything is recorded on one trace interface named
/// after the device (`.inbound` app → device, `.outbound` device → app),
/// with open/close/hangup/line events on the `events` interface.
///
/// When the device hangs up (unplugged, or its driver went away) the trace
/// notes `hangup`, the app's PTY stays in place, and the runner reopens the
/// device by path as soon as it is back (noting `open` and re-applying the
/// app's last line settings); app bytes written meanwhile are dropped and
/// counted. With `exitOnHangup` it ends at the hangup instead.
///
/// A `Service`: it runs until cancelled or graceful shutdown (or a hangup, with `exitOnHangup`).
public final class RecordRunner: Service, Sendable {
    /// Where the app can reach the device, reported once the PTY is up.
    public struct Endpoint: Sendable {
        /// The PTY slave path.
        public var ptyPath: String
        /// The link the app opens.
        public var link: String?
        /// The device's line settings at start.
        public var lineSettings: LineSettings
    }

    /// Byte counters.
    public struct Counters: Sendable, Equatable {
        /// Bytes from the app to the device.
        public var toDevice = 0
        /// Bytes from the device to the app.
        public var fromDevice = 0
        /// App bytes dropped while the device was away.
        public var droppedWhileAbsent = 0
        /// Times the device hung up.
        public var hangups = 0
    }

    /// How often an absent device is looked for.
    static let reopenInterval: Duration = .milliseconds(250)

    /// The device as the three pumps share it: nil while it is away.
    private struct DeviceState: ~Copyable {
        var port: RecordDevicePort?
        /// The settings the app last made, applied to every reopened port.
        var appSettings: LineSettings?
    }

    private let devicePath: String
    private let link: String?
    private let tap: TraceTap
    private let logger: Logger
    private let onReady: @Sendable (Endpoint) -> Void
    private let exitOnHangup: Bool
    private let counterState = Mutex(Counters())
    private let deviceState = Mutex(DeviceState())

    /// Creates a runner recording `devicePath` ⇄ `link` into `recorder`.
    public init(
        device devicePath: String, link: String?, recorder: TraceRecorder, logger: Logger,
        exitOnHangup: Bool = false, onReady: @escaping @Sendable (Endpoint) -> Void = { _ in }
    ) {
        self.exitOnHangup = exitOnHangup
        self.devicePath = devicePath
        self.link = link
        self.tap = TraceTap(
            recorder: recorder, name: devicePath, description: "devbridge record; app link \(link ?? "-")")
        self.logger = logger
        self.onReady = onReady
    }

    /// Bytes passed so far.
    public var counters: Counters { counterState.withLock { $0 } }

    public func run() async throws {
        let first = try RecordDevicePort(path: devicePath)
        let settings = first.lineSettings ?? .default9600
        let endpoint: PseudoTerminalEndpoint
        do {
            endpoint = try await PseudoTerminalEndpoint.open(
                link: link, lineSettings: settings, options: .init(emulateLineMismatch: false), logger: logger)
        } catch {
            first.close()
            throw error
        }
        deviceState.withLock { $0.port = first }
        tap.note(TraceEvent(settings))
        onReady(Endpoint(ptyPath: endpoint.slavePath, link: endpoint.linkPath, lineSettings: settings))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await cancelWhenGracefulShutdown { await self.pumpDevice(to: endpoint, first: first) }
            }
            group.addTask {
                for await bytes in endpoint.inbound {
                    self.tap.toDevice(bytes)
                    let port = self.deviceState.withLock { $0.port }
                    port?.write(bytes)
                    self.counterState.withLock {
                        $0.toDevice += bytes.count
                        if port == nil { $0.droppedWhileAbsent += bytes.count }
                    }
                }
            }
            group.addTask {
                for await event in endpoint.events {
                    self.tap.note(TraceEvent(event))
                    if case .lineSettingsChanged(let settings) = event {
                        let port = self.deviceState.withLock { state in
                            state.appSettings = settings
                            return state.port
                        }
                        self.apply(settings, to: port)
                    }
                }
            }
            await group.next()
            group.cancelAll()
            await endpoint.close()
        }
        deviceState.withLock { state in
            state.port?.close()
            state.port = nil
        }
        try? tap.recorder.flush()
    }

    /// Whether a hangup is waited out. Not for a `/dev/pts/N` path: a pseudo-terminal never comes
    /// back, and its number is soon reused by an unrelated terminal that must not be taken over.
    private var waitsAfterHangup: Bool { !exitOnHangup && !devicePath.hasPrefix("/dev/pts/") }

    /// Device → app until cancelled, reopening the device after each hangup (unless `exitOnHangup`
    /// or the device is a pseudo-terminal).
    private func pumpDevice(to endpoint: PseudoTerminalEndpoint, first: RecordDevicePort) async {
        var port = first
        while !Task.isCancelled {
            for await read in port.reads() {
                switch read {
                case .bytes(let bytes):
                    tap.fromDevice(bytes)
                    _ = endpoint.write(bytes)
                    counterState.withLock { $0.fromDevice += bytes.count }
                case .hangup(let code):
                    tap.note(.hangup)
                    counterState.withLock { $0.hangups += 1 }
                    logger.warning(
                        "device hung up (errno \(code))\(waitsAfterHangup ? "; waiting for it to come back" : "")",
                        metadata: ["device": "\(devicePath)"])
                }
            }
            deviceState.withLock { $0.port = nil }
            port.close()
            guard waitsAfterHangup, let reopened = await reopen() else { return }
            port = reopened
        }
    }

    /// Waits until the device can be opened again; nil when cancelled first.
    private func reopen() async -> RecordDevicePort? {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.reopenInterval)
            guard let port = try? RecordDevicePort(path: devicePath) else { continue }
            let settings = deviceState.withLock { state in
                state.port = port
                return state.appSettings
            }
            if let settings { apply(settings, to: port) }
            tap.note(.open)
            logger.notice("device is back", metadata: ["device": "\(devicePath)"])
            return port
        }
        return nil
    }

    private func apply(_ settings: LineSettings, to port: RecordDevicePort?) {
        guard let port else { return }
        do {
            try port.apply(settings)
            logger.info("app set \(settings); applied to \(devicePath)")
        } catch {
            logger.warning("cannot apply \(settings) to \(devicePath): \(error)")
        }
    }
}
