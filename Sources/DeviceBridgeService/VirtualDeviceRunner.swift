import Logging
import SerialIO
import ServiceLifecycle
import Simulation
import Synchronization
import Traces
import VirtualDevices

/// Runs one ``VirtualDevice`` on a PTY: maps wall time to virtual time,
/// writes the device's lines, feeds the app's bytes back, and resets the
/// device when the app opens the port (like DTR resetting an Arduino).
///
/// A `Service`: it runs until cancelled or until graceful shutdown (SIGINT,
/// SIGTERM), then closes the PTY and removes its link.
public final class VirtualDeviceRunner: Service, Sendable {
    /// Runner settings.
    public struct Options: Sendable {
        /// Symlink to create for the PTY (nil: no link).
        public var link: String?
        public var speed: SimulationSpeed
        /// Reset the device when the app opens the port (default true).
        public var resetOnOpen: Bool
        /// Garble output when the app's baud rate differs from the device's (default true).
        public var emulateBaudMismatch: Bool
        /// Records the session (bytes both ways, open/close/reset/line settings) when set.
        public var trace: TraceTap?

        public init(
            link: String?, speed: SimulationSpeed = .factor(1), resetOnOpen: Bool = true,
            emulateBaudMismatch: Bool = true, trace: TraceTap? = nil
        ) {
            self.trace = trace
            self.link = link
            self.speed = speed
            self.resetOnOpen = resetOnOpen
            self.emulateBaudMismatch = emulateBaudMismatch
        }
    }

    /// Where the device can be reached, reported once it is up.
    public struct Endpoint: Sendable {
        public var ptyPath: String
        public var link: String?
        public var lineSettings: LineSettings
    }

    /// Counters, for logs, the control API and metrics.
    public struct Counters: Sendable {
        public var linesWritten = 0
        public var bytesWritten = 0
        public var bytesDropped = 0
        public var bytesReceived = 0
        public var resets = 0
    }

    public let name: String
    private let options: Options
    private let logger: Logger
    private let state: Mutex<State>
    private let onReady: @Sendable (Endpoint) -> Void

    private struct State: ~Copyable {
        var device: any VirtualDevice
        var counters = Counters()
    }

    /// Creates a runner. `onReady` is called once the PTY exists (print the paths there).
    public init(
        name: String, device: any VirtualDevice, options: Options, logger: Logger,
        onReady: @escaping @Sendable (Endpoint) -> Void = { _ in }
    ) {
        self.name = name
        self.options = options
        self.logger = logger
        self.onReady = onReady
        state = Mutex(State(device: device))
    }

    /// The current counters.
    public var counters: Counters { state.withLock { $0.counters } }

    /// A copy of the device's simulation (for state queries).
    public var simulation: Simulation { state.withLock { $0.device.simulation } }

    /// Applies an event to the running device (stdin, control API).
    public func inject(_ event: ModelEvent) throws(ModelError) {
        let result: Result<Void, ModelError> = state.withLock { state in
            do throws(ModelError) {
                try state.device.inject(event)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    public func run() async throws {
        let baud = state.withLock { $0.device.baudRate }
        let settings = LineSettings(baud: baud)
        let endpoint = try await PseudoTerminalEndpoint.open(
            link: options.link, lineSettings: settings,
            options: .init(emulateLineMismatch: options.emulateBaudMismatch),
            logger: logger)
        onReady(Endpoint(ptyPath: endpoint.slavePath, link: endpoint.linkPath, lineSettings: settings))
        options.trace?.note(TraceEvent(settings))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.consumeInbound(endpoint) }
            group.addTask { await self.watchEvents(endpoint) }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    await self.emitLines(endpoint)
                }
            }
            await group.next()
            group.cancelAll()
            await endpoint.close()
        }
        logger.info("stopped; link removed", metadata: ["device": "\(name)"])
    }

    private func consumeInbound(_ endpoint: PseudoTerminalEndpoint) async {
        for await bytes in endpoint.inbound {
            options.trace?.toDevice(bytes)
            let messages = state.withLock { state in
                state.counters.bytesReceived += bytes.count
                return state.device.receive(bytes)
            }
            for message in messages { logger.info("\(message)", metadata: ["device": "\(name)"]) }
        }
    }

    private func watchEvents(_ endpoint: PseudoTerminalEndpoint) async {
        for await event in endpoint.events {
            options.trace?.note(TraceEvent(event))
            switch event {
            case .opened:
                if options.resetOnOpen {
                    state.withLock { state in
                        state.device.reset()
                        state.counters.resets += 1
                    }
                    options.trace?.note(.reset)
                    logger.debug("port opened: device reset", metadata: ["device": "\(name)"])
                }
            case .closed:
                logger.debug("port closed", metadata: ["device": "\(name)"])
            case .lineSettingsChanged(let settings):
                logger.info("app set the port to \(settings)", metadata: ["device": "\(name)"])
            }
        }
    }

    private func write(_ lines: [DeviceLine], to endpoint: PseudoTerminalEndpoint) {
        guard !lines.isEmpty else { return }
        var written = 0
        var dropped = 0
        for line in lines {
            let result = endpoint.write(line.bytes)
            if result.written > 0 { options.trace?.fromDevice(Array(line.bytes.prefix(result.written))) }
            written += result.written
            dropped += result.dropped
        }
        state.withLock { state in
            state.counters.linesWritten += lines.count
            state.counters.bytesWritten += written
            state.counters.bytesDropped += dropped
        }
    }

    private func emitLines(_ endpoint: PseudoTerminalEndpoint) async {
        switch options.speed {
        case .factor(let factor):
            await emitInTime(endpoint, factor: factor)
        case .max:
            await emitAsFastAsRead(endpoint)
        }
    }

    /// Virtual time follows the wall clock scaled by `factor`; each line carries its own virtual time.
    private func emitInTime(_ endpoint: PseudoTerminalEndpoint, factor: Double) async {
        let clock = ContinuousClock()
        let wallStart = clock.now
        let virtualStart = state.withLock { $0.device.simulation.time }
        while !Task.isCancelled {
            let elapsed = clock.now - wallStart
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let virtualNow = virtualStart + seconds * factor
            let lines = state.withLock { $0.device.advance(to: virtualNow) }
            write(lines, to: endpoint)
            // Wake for the next line: lines come at most every 0.5 virtual seconds, so right after
            // one, sleep until 0.5 virtual s past it (a smoker then wakes once per line, not ten
            // times: this lets one process run 1000 of them); otherwise poll every 0.1 virtual s.
            var sleep = min(0.25, max(0.002, 0.1 / factor))
            if let last = lines.last {
                sleep = min(0.5, max(sleep, (last.time + 0.5 - virtualNow) / factor + 0.001))
            }
            try? await Task.sleep(for: .seconds(sleep))
        }
    }

    /// The next line is produced only when the reader has consumed the previous ones.
    private func emitAsFastAsRead(_ endpoint: PseudoTerminalEndpoint) async {
        while !Task.isCancelled {
            guard endpoint.isOpenByClient, endpoint.pendingClientBytes < 1024 else {
                try? await Task.sleep(for: .milliseconds(1))
                continue
            }
            let lines = state.withLock { state -> [DeviceLine] in
                // Advance one firmware loop at a time (half a virtual second at most).
                let time = state.device.simulation.time
                return state.device.advance(to: time + 0.5)
            }
            write(lines, to: endpoint)
            if lines.isEmpty { await Task.yield() }
        }
    }
}
