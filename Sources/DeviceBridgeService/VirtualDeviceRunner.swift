import DevicePort
import Logging
import SerialIO
import ServiceLifecycle
import Simulation
import Synchronization
import Traces
import VirtualDevices

/// Runs one ``VirtualDevice`` as the provider of a ``DevicePort``: maps wall
/// time to virtual time, emits the device's lines to every endpoint of the
/// port, feeds back what their clients write, and resets the device when an
/// app opens the PTY link or an RFC 2217 client drops and raises DTR (like
/// DTR resetting an Arduino).
///
/// The runner opens the port's PTY link itself (``Options/pty``); other
/// endpoints (TCP exports, the service's child-process pipe) attach to
/// ``port``.
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
        /// Open a PTY (and `link`) for apps (default true). False for a device served only
        /// through other endpoints, such as a child process of the service.
        public var pty: Bool

        public init(
            link: String?, speed: SimulationSpeed = .factor(1), resetOnOpen: Bool = true,
            emulateBaudMismatch: Bool = true, trace: TraceTap? = nil, clock: SimulationClockControl? = nil
        ) {
            self.trace = trace
            self.clock = clock
            self.pty = true
            self.link = link
            self.speed = speed
            self.resetOnOpen = resetOnOpen
            self.emulateBaudMismatch = emulateBaudMismatch
        }
    }

    /// Where the device can be reached, reported once it is up.
    public struct Endpoint: Sendable {
        /// The PTY's slave path; empty without a PTY (``Options/pty`` false).
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
    /// The port every endpoint of the device attaches to.
    public let port: DevicePort
    /// Maps wall time to virtual time; pause, resume and change speed through it (`.factor` speeds).
    public let clock: SimulationClockControl
    private let options: Options
    private let logger: Logger
    private let state: Mutex<State>
    private let onReady: @Sendable (Endpoint) -> Void

    private struct State: ~Copyable {
        var device: any VirtualDevice
        var counters = Counters()
        /// Opens and DTR rises that reset the device.
        var resetTrigger: ResetTrigger
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
        port = DevicePort(name: name, lineSettings: LineSettings(baud: device.baudRate))
        state = Mutex(State(device: device, resetTrigger: ResetTrigger(enabled: options.resetOnOpen)))
        port.setProvider(self)
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

    public func run() async throws {
        let settings = port.lineSettings
        var link: PTYLinkEndpoint?
        if options.pty {
            var lossless = false
            if case .max = options.speed { lossless = true }
            link = try await PTYLinkEndpoint.open(
                port: port, link: options.link, emulateLineMismatch: options.emulateBaudMismatch, lossless: lossless,
                logger: logger)
        }
        // A powered device holds its modem status lines up (RFC 2217 clients see them).
        port.setModemStatus(Self.modemStatus)
        onReady(Endpoint(ptyPath: link?.slavePath ?? "", link: link?.linkPath, lineSettings: settings))
        options.trace?.note(TraceEvent(settings))
        await cancelWhenGracefulShutdown {
            await self.emitLines()
        }
        port.setModemStatus([])
        port.close()
        await link?.close()
        logger.info("stopped\(link?.linkPath == nil ? "" : "; link removed")", metadata: ["device": "\(name)"])
    }

    /// CTS, DSR and DCD: what a powered board behind a USB serial adapter shows.
    static let modemStatus: ModemLines = [.clearToSend, .dataSetReady, .carrierDetect]

    /// Resets the device when `event` calls for it (a port opened, DTR raised after a drop).
    private func resetIfTriggered(by event: PortEvent, from endpoint: EndpointID) {
        let reset = state.withLock { state in
            guard state.resetTrigger.shouldReset(after: event, from: endpoint) else { return false }
            state.device.reset()
            state.counters.resets += 1
            return true
        }
        guard reset else { return }
        options.trace?.note(.reset)
        logger.debug(
            "\(event == .opened ? "port opened" : "DTR raised"): device reset", metadata: ["device": "\(name)"])
    }

    /// Emits lines to every endpoint. In real time, bytes no client can take are dropped, as a
    /// UART loses them.
    private func emit(_ lines: [DeviceLine]) {
        guard !lines.isEmpty else { return }
        var written = 0
        var dropped = 0
        for line in lines {
            let result = port.emit(line.bytes)
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

    private func emitLines() async {
        switch options.speed {
        case .factor:
            await emitInTime()
        case .max:
            await emitAsFastAsRead()
        }
    }

    /// Virtual time follows the wall clock through ``clock`` (scaled, pausable); each line carries its own virtual time.
    private func emitInTime() async {
        clock.start(virtualTime: state.withLock { $0.device.simulation.time })
        while !Task.isCancelled {
            let target = clock.virtualTime()
            let lines = state.withLock { $0.device.advance(to: target) }
            emit(lines)
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

    /// The next line is produced only when every reader has consumed the previous ones (a
    /// line is far smaller than a PTY's input queue, so none is ever cut).
    private func emitAsFastAsRead() async {
        while !Task.isCancelled {
            guard port.readyForMore else {
                try? await Task.sleep(for: .milliseconds(1))
                continue
            }
            let lines = state.withLock { state -> [DeviceLine] in
                // Advance one firmware loop at a time (half a virtual second at most).
                let time = state.device.simulation.time
                return state.device.advance(to: time + 0.5)
            }
            emit(lines)
            if lines.isEmpty { await Task.yield() }
        }
    }
}

extension VirtualDeviceRunner: DevicePortProvider {
    public func portReceived(_ bytes: [UInt8], from endpoint: EndpointID) {
        options.trace?.toDevice(bytes)
        let messages = state.withLock { state in
            state.counters.bytesReceived += bytes.count
            return state.device.receive(bytes)
        }
        for message in messages { logger.info("\(message)", metadata: ["device": "\(name)"]) }
    }

    public func portEvent(_ event: PortEvent, from endpoint: EndpointID) {
        switch event {
        case .opened:
            options.trace?.note(.open)
        case .closed:
            options.trace?.note(.close)
            logger.debug("port closed", metadata: ["device": "\(name)", "endpoint": "\(endpoint)"])
        case .lineSettings(let settings):
            options.trace?.note(TraceEvent(settings))
            logger.info("app set the port to \(settings)", metadata: ["device": "\(name)", "endpoint": "\(endpoint)"])
        case .modemControl(let dtr, let rts):
            options.trace?.note(.modemLines(dtr: dtr, rts: rts))
        case .breakSignal(let on):
            if on { options.trace?.note(.breakSignal) }
        case .flowControl, .purge:
            break  // a virtual device has neither flow control nor buffers to purge
        }
        resetIfTriggered(by: event, from: endpoint)
    }
}
