import DevicePort
import Logging
import SerialBridge
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

    private let devicePath: String
    private let link: String?
    private let tap: TraceTap
    private let logger: Logger
    private let onReady: @Sendable (Endpoint) -> Void
    private let exitOnHangup: Bool
    private let tty = Mutex<HostTTYPort?>(nil)

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
    public var counters: Counters {
        let counted = tty.withLock { $0 }?.counters ?? HostTTYPort.Counters()
        return Counters(
            toDevice: counted.toDevice, fromDevice: counted.fromDevice,
            droppedWhileAbsent: counted.droppedWhileAbsent + counted.droppedBackedUp, hangups: counted.hangups)
    }

    /// The device's port gets two endpoints: the recorder, then the app's PTY link (which passes
    /// the app's settings to the device rather than garbling). It runs until the device ends.
    public func run() async throws {
        let options = HostTTYOptions(path: devicePath, reopenInterval: Self.reopenInterval, reopens: waitsAfterHangup)
        let tty = try await HostTTYPort.open(options, logger: logger)
        self.tty.withLock { $0 = tty }
        let endpoint: PTYLinkEndpoint
        do {
            guard PortRecorder.attach(to: tty.port, tap: tap) != nil else { throw CancellationError() }
            endpoint = try await PTYLinkEndpoint.open(
                port: tty.port, link: link, emulateLineMismatch: false, logger: logger)
        } catch {
            await tty.stop()
            throw error
        }
        onReady(Endpoint(ptyPath: endpoint.slavePath, link: endpoint.linkPath, lineSettings: tty.port.lineSettings))
        await cancelWhenGracefulShutdown { await tty.waitUntilEnded() }
        await endpoint.close()
        await tty.stop()
        try? tap.recorder.flush()
    }

    /// Whether a hangup is waited out. Not for a `/dev/pts/N` path: a pseudo-terminal never comes
    /// back, and its number is soon reused by an unrelated terminal that must not be taken over.
    private var waitsAfterHangup: Bool { !exitOnHangup && !devicePath.hasPrefix("/dev/pts/") }
}
