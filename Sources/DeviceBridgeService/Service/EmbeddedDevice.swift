import Logging
import SerialIO
import Simulation
import Synchronization
import Traces
import VirtualDevices

/// A virtual device running in the service's own process, on a ``VirtualDeviceRunner``.
public final class EmbeddedDevice: ManagedDevice {
    public let configuration: VirtualDeviceConfiguration
    private let factory: DeviceFactory
    private let resources: DeviceResources
    private let exportBackend: any ExportBackend
    private let logger: Logger
    private let exports: [ExportHandle]
    private let onReady: @Sendable (DeviceSnapshot) -> Void

    private struct State {
        var status = DeviceStatus.stopped
        var error: String?
        var protocolName = ""
        var runner: VirtualDeviceRunner?
        var task: Task<Void, Never>?
        var recorder: TraceRecorder?
        var endpoint: VirtualDeviceRunner.Endpoint?
        var lastSimulation: Simulation?
        var lastCounters: VirtualDeviceRunner.Counters?
    }
    private let state = Mutex(State())

    /// Creates a stopped device. `onReady` is called with its snapshot once its PTY exists.
    public init(
        configuration: VirtualDeviceConfiguration, factory: DeviceFactory, exportBackend: any ExportBackend,
        logger: Logger, resources: DeviceResources = DeviceResources(),
        onReady: @escaping @Sendable (DeviceSnapshot) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.factory = factory
        self.resources = resources
        self.exportBackend = exportBackend
        self.logger = logger
        self.onReady = onReady
        exports = configuration.exports.map { ExportHandle(name: "\(configuration.name)/\($0.mode)", spec: $0) }
    }

    public var runner: VirtualDeviceRunner? { state.withLock { $0.runner } }
    public var isActive: Bool { state.withLock { $0.status == .running || $0.status == .starting } }

    public func start() async {
        if isActive { return }
        if state.withLock({ $0.task != nil }) { await stop() }
        let device: any VirtualDevice
        let link: String
        do throws(ServiceError) {
            device = try factory.make(configuration, resources: resources)
            link = try Self.linkPath(configuration)
        } catch {
            logger.error("device failed to start: \(error)", metadata: ["device": "\(configuration.name)"])
            state.withLock {
                $0.status = .failed
                $0.error = error.description
            }
            return
        }
        var tap: TraceTap?
        var recorder: TraceRecorder?
        if let path = configuration.trace {
            do {
                let opened = try TraceRecorder(path: path)
                recorder = opened
                tap = TraceTap(
                    recorder: opened, name: link,
                    description: "devbridge serve \(configuration.name) (\(device.protocolName))")
            } catch {
                state.withLock {
                    $0.status = .failed
                    $0.error = "trace: \(error)"
                }
                return
            }
        }
        let clock: SimulationClockControl
        if case .factor(let factor) = configuration.speed {
            clock = SimulationClockControl(factor: factor, paused: configuration.paused)
        } else {
            clock = SimulationClockControl()
        }
        let options = VirtualDeviceRunner.Options(
            link: link, speed: configuration.speed, resetOnOpen: configuration.resetOnOpen,
            emulateBaudMismatch: configuration.emulateBaudMismatch, trace: tap, clock: clock)
        let runner = VirtualDeviceRunner(
            name: configuration.name, device: device, options: options, logger: logger
        ) { [weak self] endpoint in
            self?.ready(endpoint)
        }
        let protocolName = device.protocolName
        state.withLock {
            $0.status = .starting
            $0.error = nil
            $0.runner = runner
            $0.recorder = recorder
            $0.protocolName = protocolName
            $0.endpoint = nil
        }
        let task = Task { [weak self] in
            do {
                try await runner.run()
            } catch {
                self?.failed("\(error)")
            }
        }
        state.withLock { $0.task = task }
    }

    private func ready(_ endpoint: VirtualDeviceRunner.Endpoint) {
        state.withLock {
            $0.endpoint = endpoint
            $0.status = .running
        }
        guard let runner else { return }
        let backend = exportBackend
        let exports = exports
        let source = ExportSource.port(runner.port, emulateBaudMismatch: configuration.emulateBaudMismatch)
        for export in exports { export.markStarting() }
        Task {
            // Every export is one more endpoint of the device's port, beside its PTY link: each
            // gets every line, with no PTY in between.
            for export in exports {
                await export.start(backend: backend, source: source, baud: endpoint.lineSettings.baud, trace: nil)
            }
            self.onReady(await self.snapshot())
        }
    }

    private func failed(_ message: String) {
        logger.error("device stopped with an error: \(message)", metadata: ["device": "\(configuration.name)"])
        state.withLock {
            $0.status = .failed
            $0.error = message
        }
    }

    public func stop() async {
        for export in exports { await export.stop() }
        let (task, runner) = state.withLock { ($0.task, $0.runner) }
        task?.cancel()
        await task?.value
        let recorder = state.withLock { state -> TraceRecorder? in
            state.lastSimulation = runner?.simulation
            state.lastCounters = runner?.counters
            state.task = nil
            state.runner = nil
            if state.status != .failed { state.status = .stopped }
            state.endpoint = nil
            let recorder = state.recorder
            state.recorder = nil
            return recorder
        }
        recorder?.close()
    }

    public func inject(_ event: ModelEvent, command: String) throws(ServiceError) {
        guard let runner else { throw ServiceError(.conflict, "device '\(configuration.name)' is not running") }
        do {
            try runner.inject(event)
        } catch {
            throw ServiceError(.badRequest, error.message, key: error.key)
        }
    }

    public func controlClock(_ action: ClockAction) throws(ServiceError) {
        try DeviceSnapshot.checkClockControl(configuration)
        guard let runner else { throw ServiceError(.conflict, "device '\(configuration.name)' is not running") }
        try runner.apply(action)
    }

    public func snapshot() async -> DeviceSnapshot {
        let (base, runner) = state.withLock { state in (state, state.runner) }
        var snapshot = DeviceSnapshot(configuration: configuration, status: base.status)
        snapshot.error = base.error
        snapshot.protocol = base.protocolName.isEmpty ? configuration.protocolName ?? "" : base.protocolName
        snapshot.pty = base.endpoint?.ptyPath
        snapshot.baud = base.endpoint?.lineSettings.baud
        snapshot.link = base.endpoint?.link ?? configuration.link
        if let runner {
            snapshot.fillLive(from: runner, speed: configuration.speed)
        } else {
            if let simulation = base.lastSimulation { snapshot.fill(from: simulation) }
            if let counters = base.lastCounters { snapshot.fill(counters: counters) }
        }
        for export in exports { snapshot.exports.append(await export.snapshot()) }
        return snapshot
    }

    /// The configured link, or the per-user default for the device name.
    static func linkPath(_ configuration: VirtualDeviceConfiguration) throws(ServiceError) -> String {
        if let link = configuration.link { return link }
        do {
            return try PTYLink.defaultPath(name: configuration.name)
        } catch {
            throw ServiceError(
                .startFailed, "cannot choose a PTY link: \(error)", key: "devices.\(configuration.name).link")
        }
    }
}
