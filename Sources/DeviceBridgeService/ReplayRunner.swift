import DevicePort
import Logging
import SerialIO
import ServiceLifecycle
import Synchronization
import Traces

/// `devbridge replay`: a recorded trace played back as a device, driving a
/// `ReplayEngine` with the wall clock and the app's writes. The runner is the
/// provider of a ``DevicePort``: its PTY link is one endpoint, and any other
/// endpoint (a TCP export, a USB function) can attach to ``port``.
///
/// The script starts when the app first opens the port. Without `loop`,
/// the runner ends once the script has finished and the app has closed the
/// port (or at once if it already had). With `strict`, the first mismatch
/// ends it. Mismatch reports go to `onMismatch` as they happen.
///
/// Line settings: the PTY (device and slave) starts at the script's first
/// recorded `line` settings; each recorded `line` event, when reached,
/// switches the device's side (each client's stays as it set it), so with
/// `emulateBaudMismatch` a client at other settings reads garbage, as from the
/// recorded device. A PTY forces 8 data bits and no parity, so only baud and
/// stop bits are applied and compared. The clients' settings are refreshed
/// before each engine step, for `--match`. Recorded events go to `onEvent`;
/// `modem`/`break` cannot be reproduced (a PTY has no modem lines).
public final class ReplayRunner: Service, Sendable {
    /// Replay settings.
    public struct Options: Sendable {
        /// Link to create for the PTY.
        public var link: String?
        /// Engine settings (speed, match, loop).
        public var engine: ReplayEngine.Configuration
        /// Stop at the first mismatch.
        public var strict: Bool
        /// Garble both directions while the app's baud differs from the device's (recorded) one.
        public var emulateBaudMismatch: Bool

        /// Creates options.
        public init(
            link: String?, engine: ReplayEngine.Configuration, strict: Bool = false, emulateBaudMismatch: Bool = true
        ) {
            self.link = link
            self.engine = engine
            self.strict = strict
            self.emulateBaudMismatch = emulateBaudMismatch
        }
    }

    /// How a replay ended.
    public struct Outcome: Sendable, Equatable {
        /// Every mismatch reported.
        public var mismatches: [ReplayMismatch]
        /// True when the whole script was played.
        public var finished: Bool
        /// Bytes sent to the app.
        public var bytesSent: Int
    }

    private struct State: ~Copyable {
        var engine: ReplayEngine
        var bytesSent = 0
        var appOpen = false
        var stop = false
        /// Set when the runner must end (the app closed after the end, a strict mismatch).
        var ended: AsyncStream<Void>.Continuation?
    }

    /// The port the replayed device is served on.
    public let port: DevicePort

    private let options: Options
    private let script: ReplayScript
    private let lineSettings: LineSettings
    private let logger: Logger
    private let onReady: @Sendable (String, String?) -> Void
    private let onMismatch: @Sendable (ReplayMismatch) -> Void
    private let onEvent: @Sendable (TraceEvent, UInt64) -> Void
    private let state: Mutex<State>

    /// Creates a runner for `script`; `lineSettings` are the PTY's initial settings.
    public init(
        script: ReplayScript, lineSettings: LineSettings, options: Options, logger: Logger,
        onReady: @escaping @Sendable (_ ptyPath: String, _ link: String?) -> Void = { _, _ in },
        onMismatch: @escaping @Sendable (ReplayMismatch) -> Void = { _ in },
        onEvent: @escaping @Sendable (_ event: TraceEvent, _ recordedOffset: UInt64) -> Void = { _, _ in }
    ) {
        self.script = script
        self.lineSettings = Self.ptyForm(lineSettings)
        self.options = options
        self.logger = logger
        self.onReady = onReady
        self.onMismatch = onMismatch
        self.onEvent = onEvent
        var engine = options.engine
        engine.ignoresFraming = true
        state = Mutex(State(engine: ReplayEngine(script: script, configuration: engine)))
        port = DevicePort(name: "replay", lineSettings: self.lineSettings)
        port.setProvider(self)
    }

    /// The line settings to start with: the first recorded `line` event of the script, else 9600 8N1.
    public static func initialLineSettings(of script: ReplayScript) -> LineSettings {
        script.initialLineSettings ?? .default9600
    }

    /// `settings` as a PTY keeps them: baud and stop bits, 8 data bits, no parity.
    private static func ptyForm(_ settings: LineSettings) -> LineSettings {
        LineSettings(baud: settings.baud, stopBits: settings.stopBits)
    }

    /// The outcome so far.
    public var outcome: Outcome {
        state.withLock {
            Outcome(mismatches: $0.engine.mismatches, finished: $0.engine.isFinished, bytesSent: $0.bytesSent)
        }
    }

    public func run() async throws {
        let link = try await PTYLinkEndpoint.open(
            port: port, link: options.link, emulateLineMismatch: options.emulateBaudMismatch, logger: logger)
        onReady(link.slavePath, link.linkPath)
        let ended = AsyncStream<Void>.makeStream()
        state.withLock { $0.ended = ended.continuation }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in ended.stream { return }
            }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        // The clients' settings now (a PTY's termios is polled; refreshed here for --match).
                        self.port.refreshClientSettings()
                        let now = TraceClock.monotonic()
                        let (actions, deadline) = self.state.withLock { state in
                            (state.engine.advance(now: now), state.engine.nextDeadline)
                        }
                        if self.perform(actions) { return }
                        let wait = deadline.map { $0 > now ? min($0 - now, 50_000_000) : 0 } ?? 50_000_000
                        if wait > 0 { try? await Task.sleep(for: .nanoseconds(Int64(wait))) }
                    }
                }
            }
            await group.next()
            group.cancelAll()
            ended.continuation.finish()
            // Let the app read what was sent last before the PTY goes away.
            for _ in 0..<100 where link.pty.isOpenByClient && link.pty.pendingClientBytes > 0 {
                try? await Task.sleep(for: .milliseconds(10))
            }
            port.close()
            await link.close()
        }
    }

    /// Carries out actions; true when the runner must stop (and then tells ``run()`` so).
    private func perform(_ actions: [ReplayEngine.Action]) -> Bool {
        var stop = false
        for action in actions {
            switch action {
            case .send(let bytes):
                let result = port.emit(bytes)
                state.withLock { $0.bytesSent += result.written }
            case .event(let event, let recordedOffset):
                logger.debug("recorded event: \(event)")
                if let settings = event.settings {
                    port.setLineSettings(Self.ptyForm(settings))
                }
                onEvent(event, recordedOffset)
            case .mismatch(let mismatch):
                onMismatch(mismatch)
                if options.strict { stop = true }
            case .finished:
                logger.info("replay finished")
                if state.withLock({ !$0.appOpen }) { stop = true }
            }
        }
        let ended = state.withLock { state -> Bool in
            if stop { state.stop = true }
            return state.stop
        }
        if ended { state.withLock { $0.ended }?.yield() }
        return ended
    }
}

extension ReplayRunner: DevicePortProvider {
    public func portReceived(_ bytes: [UInt8], from endpoint: EndpointID) {
        let actions = state.withLock { $0.engine.appWrote(bytes, now: TraceClock.monotonic()) }
        _ = perform(actions)
    }

    public func portEvent(_ event: PortEvent, from endpoint: EndpointID) {
        switch event {
        case .opened:
            let actions = state.withLock { state -> [ReplayEngine.Action] in
                state.appOpen = true
                // The script starts with the first open, once.
                return state.engine.loops == 0 && state.bytesSent == 0 && !state.engine.isFinished
                    && state.engine.mismatches.isEmpty
                    ? state.engine.start(now: TraceClock.monotonic()) : []
            }
            _ = perform(actions)
        case .closed:
            let done = state.withLock { state in
                state.appOpen = false
                return state.engine.isFinished
            }
            if done {
                state.withLock { $0.stop = true }
                state.withLock { $0.ended }?.yield()
            }
        case .lineSettings(let settings):
            logger.info("app set \(settings)")
            state.withLock { $0.engine.appSetLineSettings(settings) }
        case .modemControl, .breakSignal, .flowControl, .purge:
            break
        }
    }
}
