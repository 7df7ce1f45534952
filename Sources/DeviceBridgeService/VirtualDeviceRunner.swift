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
        /// Pause, resume, speed and advance control for `.factor` speeds (the service's control API).
        /// nil: the runner makes its own clock from `speed`.
        public var clock: SimulationClockControl?
        /// Called with every line the device prints, whatever the PTY did with it (the service's
        /// mirror PTYs, which give each extra TCP export its own reader).
        public var onOutput: (@Sendable ([UInt8]) -> Void)?

        public init(
            link: String?, speed: SimulationSpeed = .factor(1), resetOnOpen: Bool = true,
            emulateBaudMismatch: Bool = true, trace: TraceTap? = nil, clock: SimulationClockControl? = nil
        ) {
            self.trace = trace
            self.clock = clock
            self.onOutput = nil
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
    /// Maps wall time to virtual time; pause, resume and change speed through it (`.factor` speeds).
    public let clock: SimulationClockControl
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
        if let clock = options.clock {
            self.clock = clock
        } else if case .factor(let factor) = options.speed {
            self.clock = SimulationClockControl(factor: factor)
        } else {
            self.clock = SimulationClockControl()
        }
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

    /// The device's protocol name (`smart-smoker`, `heatermeter`, …).
    public var protocolName: String { state.withLock { $0.device.protocolName } }

    /// Jumps the device `duration` virtual seconds ahead at once (the control API's
    /// "advance"). Lines the device prints during the jump are discarded, as if the
    /// reader had been away; the clock then continues from the new time.
    public func advance(by duration: Double) {
        guard duration > 0 else { return }
        state.withLock { state in
            _ = state.device.advance(to: state.device.simulation.time + duration)
        }
        clock.shift(by: duration)
    }

    /// Bytes written to the device by another port than its PTY (a mirror PTY of the service).
    public func receive(_ bytes: [UInt8]) {
        let messages = state.withLock { state in
            state.counters.bytesReceived += bytes.count
            return state.device.receive(bytes)
        }
        for message in messages { logger.info("\(message)", metadata: ["device": "\(name)"]) }
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

    /// Writes lines to the PTY. In real time, bytes the app cannot take are dropped, as a
    /// UART loses them. With `waitForReader` (`--speed max`), the rest of a line is retried
    /// until the app has read enough, so no line is ever cut.
    private func write(_ lines: [DeviceLine], to endpoint: PseudoTerminalEndpoint, waitForReader: Bool = false)
        async
    {
        guard !lines.isEmpty else { return }
        var written = 0
        var dropped = 0
        for line in lines {
            options.onOutput?(line.bytes)
            var rest = line.bytes[...]
            while !rest.isEmpty {
                let result = endpoint.write(Array(rest))
                if result.written > 0 { options.trace?.fromDevice(Array(rest.prefix(result.written))) }
                written += result.written
                rest = rest.dropFirst(result.written)
                guard !rest.isEmpty, waitForReader, endpoint.isOpenByClient, !Task.isCancelled else { break }
                try? await Task.sleep(for: .milliseconds(1))
            }
            dropped += rest.count
        }
        state.withLock { state in
            state.counters.linesWritten += lines.count
            state.counters.bytesWritten += written
            state.counters.bytesDropped += dropped
        }
    }

    private func emitLines(_ endpoint: PseudoTerminalEndpoint) async {
        switch options.speed {
        case .factor:
            await emitInTime(endpoint)
        case .max:
            await emitAsFastAsRead(endpoint)
        }
    }

    /// Virtual time follows the wall clock through ``clock`` (scaled, pausable); each line carries its own virtual time.
    private func emitInTime(_ endpoint: PseudoTerminalEndpoint) async {
        clock.start(virtualTime: state.withLock { $0.device.simulation.time })
        while !Task.isCancelled {
            let target = clock.virtualTime()
            let lines = state.withLock { $0.device.advance(to: target) }
            await write(lines, to: endpoint)
            // Right after a line, sleep until 0.5 virtual s past it (lines come at most every
            // 0.5 virtual s): a smoker then wakes once per line instead of ten times, which lets
            // one process run 1000 of them. Otherwise poll at the clock's interval.
            var sleep = clock.pollInterval
            let settings = clock.settings
            if let last = lines.last, !settings.paused {
                sleep = min(0.5, max(sleep, (last.time + 0.5 - target) / settings.factor + 0.001))
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
            await write(lines, to: endpoint, waitForReader: true)
            if lines.isEmpty { await Task.yield() }
        }
    }
}
