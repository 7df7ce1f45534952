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
/// A `Service`: it runs until cancelled, graceful shutdown, or the device hangs up.
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
    }

    private let devicePath: String
    private let link: String?
    private let tap: TraceTap
    private let logger: Logger
    private let onReady: @Sendable (Endpoint) -> Void
    private let counterState = Mutex(Counters())

    /// Creates a runner recording `devicePath` ⇄ `link` into `recorder`.
    public init(
        device devicePath: String, link: String?, recorder: TraceRecorder, logger: Logger,
        onReady: @escaping @Sendable (Endpoint) -> Void = { _ in }
    ) {
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
        let device = try RecordDevicePort(path: devicePath)
        defer { device.close() }
        let settings = device.lineSettings ?? .default9600
        let endpoint = try await PseudoTerminalEndpoint.open(
            link: link, lineSettings: settings, options: .init(emulateLineMismatch: false), logger: logger)
        tap.note(TraceEvent(settings))
        onReady(Endpoint(ptyPath: endpoint.slavePath, link: endpoint.linkPath, lineSettings: settings))
        let deviceReads = device.reads()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await read in deviceReads {
                        switch read {
                        case .bytes(let bytes):
                            self.tap.fromDevice(bytes)
                            _ = endpoint.write(bytes)
                            self.counterState.withLock { $0.fromDevice += bytes.count }
                        case .hangup(let code):
                            self.tap.note(.hangup)
                            self.logger.warning("device \(self.devicePath) hung up (errno \(code))")
                            return
                        }
                    }
                }
            }
            group.addTask {
                for await bytes in endpoint.inbound {
                    self.tap.toDevice(bytes)
                    device.write(bytes)
                    self.counterState.withLock { $0.toDevice += bytes.count }
                }
            }
            group.addTask {
                for await event in endpoint.events {
                    self.tap.note(TraceEvent(event))
                    if case .lineSettingsChanged(let settings) = event {
                        do {
                            try device.apply(settings)
                            self.logger.info("app set \(settings); applied to \(self.devicePath)")
                        } catch {
                            self.logger.warning("cannot apply \(settings) to \(self.devicePath): \(error)")
                        }
                    }
                }
            }
            await group.next()
            group.cancelAll()
            await endpoint.close()
        }
        try? tap.recorder.flush()
    }
}
