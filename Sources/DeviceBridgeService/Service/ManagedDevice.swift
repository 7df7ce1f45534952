import Simulation

/// A configured virtual device the supervisor starts, stops and queries,
/// in-process (``EmbeddedDevice``) or in a child process (``ProcessDevice``).
public protocol ManagedDevice: AnyObject, Sendable {
    /// The configuration it was started with (compared on reload).
    var configuration: VirtualDeviceConfiguration { get }
    /// Starts it (no-op when running). Failures are reported in the snapshot.
    func start() async
    /// Stops it: exports closed, PTY link removed, trace flushed.
    func stop() async
    /// Its state now.
    func snapshot() async -> DeviceSnapshot
    /// Applies an event; `command` is the event as one line (`lid_open duration=90s`).
    func inject(_ event: ModelEvent, command: String) throws(ServiceError)
    /// Pauses, resumes, speeds up or advances the device's clock (409 at speed max or when stopped).
    func controlClock(_ action: ClockAction) throws(ServiceError)
    /// The in-process runner, for live state (nil for process devices or when stopped).
    var runner: VirtualDeviceRunner? { get }
    /// Whether it is running (or restarting after a crash).
    var isActive: Bool { get }
}

extension DeviceSnapshot {
    /// The snapshot fields that come from a simulation.
    mutating func fill(from simulation: Simulation) {
        time = simulation.time
        model = simulation.profile.model?.type
        channels = zip(simulation.profile.channels, simulation.readings).map { spec, reading in
            switch reading {
            case .value(let value): Channel(name: spec.name, unit: spec.unit.label, value: value, state: "value")
            case .disconnected: Channel(name: spec.name, unit: spec.unit.label, value: nil, state: "disconnected")
            case .noSample: Channel(name: spec.name, unit: spec.unit.label, value: nil, state: "no-sample")
            }
        }
        outputs = [:]
        for output in simulation.model?.outputs ?? [] {
            if let value = simulation.modelValue(output.name), value.isFinite { outputs[output.name] = value }
        }
        events = simulation.log.suffix(20).map {
            Event(time: $0.time, label: $0.label, name: $0.event.name, error: $0.error)
        }
        eventTypes = EventCatalog.types(forModel: simulation.profile.model?.type).map(\.name)
    }

    /// The live fields of a running device: its simulation, counters and clock.
    mutating func fillLive(from runner: VirtualDeviceRunner, speed: SimulationSpeed) {
        fill(from: runner.simulation)
        fill(counters: runner.counters)
        let settings = runner.clock.settings
        if case .max = speed {
            clock = .init(speed: nil, paused: false)
        } else {
            clock = .init(speed: settings.factor, paused: settings.paused)
        }
    }

    /// The runner's counters.
    mutating func fill(counters: VirtualDeviceRunner.Counters) {
        self.counters = Counters(
            linesWritten: counters.linesWritten, bytesWritten: counters.bytesWritten,
            bytesDropped: counters.bytesDropped, bytesReceived: counters.bytesReceived, resets: counters.resets)
    }

    /// The live fields (time, clock, channels, outputs, counters, recent events, baud) of `live`,
    /// a snapshot that a process-isolated device's child reported.
    mutating func fillLive(from live: DeviceSnapshot) {
        time = live.time
        model = live.model ?? model
        baud = live.baud
        clock = live.clock
        channels = live.channels
        outputs = live.outputs
        counters = live.counters
        events = live.events
    }

    /// Refuses clock control at speed max, where the clock follows the reader.
    static func checkClockControl(_ configuration: VirtualDeviceConfiguration) throws(ServiceError) {
        if case .max = configuration.speed {
            throw ServiceError(
                .conflict, "device '\(configuration.name)' runs at speed max: its clock follows the reader")
        }
    }

    /// An empty snapshot for a device configuration.
    init(configuration: VirtualDeviceConfiguration, status: DeviceStatus) {
        self.init(
            name: configuration.name, profile: configuration.profile, protocol: configuration.protocolName ?? "",
            model: nil, isolation: configuration.isolation.name, status: status, error: nil, pty: nil,
            link: configuration.link, baud: nil, time: nil, clock: nil, channels: [], outputs: [:], counters: nil,
            events: [],
            eventTypes: [], pid: nil, restarts: 0, exports: [])
    }
}
