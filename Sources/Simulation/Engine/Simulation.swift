/// Runs a ``Profile`` through virtual time.
///
/// `Simulation` is a value type with no I/O and no wall clock: callers move it
/// forward with ``advance(to:)``. The same profile and seed always give the
/// same readings, so a 16-hour cook runs in milliseconds in a test and
/// byte-identically twice.
///
/// ```swift
/// var simulation = try Simulation(profile: ProfileLoader.shipped("smoker-brisket"))
/// simulation.advance(to: 3 * 3600)
/// print(simulation.reading(of: "meat1"))
/// ```
public struct Simulation: Sendable {
    public let profile: Profile
    public let seed: UInt64
    /// Virtual seconds since the start.
    public private(set) var time: Double = 0
    /// The model, if the profile has one.
    public private(set) var model: (any PhysicalModel)?
    private var channels: [SensorChannel]
    private var modelRandom: SeededRandom
    private var schedule: EventSchedule
    private var faults: [FaultSpec]
    /// Events applied so far (scheduled, triggered, random and injected), oldest first.
    public private(set) var log: [LoggedEvent] = []

    /// One applied event, for plots, logs and the control API.
    public struct LoggedEvent: Sendable, Hashable {
        public var time: Double
        public var label: String
        public var event: ModelEvent
        /// Set when the model refused the event (the simulation continues).
        public var error: String?
    }

    /// Builds a simulation. `seed` overrides the profile's clock seed.
    public init(profile: Profile, seed: UInt64? = nil) throws(ProfileError) {
        self.profile = profile
        let seed = seed ?? profile.clock.seed
        self.seed = seed
        let root = SeededRandom(seed: seed)
        if let spec = profile.model {
            var reader = try spec.node.mapping()
            _ = reader.optional("type")
            guard let factory = ModelRegistry.factory(for: spec.type) else {
                throw spec.node.error(.badValue, "unknown model type '\(spec.type)'")
            }
            model = try factory.build(&reader, profile.clock)
        }
        let builtModel = model
        channels = profile.channels.map { spec in
            SensorChannel(spec: spec, model: builtModel, random: root.derived("channel:\(spec.name)"))
        }
        modelRandom = root.derived("model")
        faults = profile.faults
        schedule = EventSchedule(profile: profile, random: root.derived("events"))
        updateChannels(dt: 0)
    }

    /// Channel names in profile order.
    public var channelNames: [String] { channels.map(\.spec.name) }

    /// Current reading of every channel, in profile order.
    public var readings: [Reading] { channels.map(\.reading) }

    /// Current reading of the channel called `name`.
    public func reading(of name: String) -> Reading? {
        channels.first { $0.spec.name == name }?.reading
    }

    /// The latest CGM reading (sgv, trend arrow, delta, noise) of a `type: cgm` channel.
    /// nil before the first reading, during gaps, and for other channels.
    public func cgmReading(of name: String) -> CGMReading? {
        channels.first { $0.spec.name == name }?.latestCGM
    }

    /// The true (noise-free, lag-free) value of a channel.
    public func trueValue(of name: String) -> Double? {
        channels.first { $0.spec.name == name }?.trueValue
    }

    /// The current value of a model output, in its native unit.
    public func modelValue(_ output: String) -> Double? {
        model?.value(named: output)
    }

    /// Faults in force now.
    public var activeFaults: [FaultSpec] { faults.filter { $0.isActive(at: time) } }

    /// All faults (from the profile and injected).
    public var allFaults: [FaultSpec] { faults }

    /// Advances virtual time to `target` seconds, stepping the model at the profile's tick.
    public mutating func advance(to target: Double) {
        let tick = profile.clock.tick
        while time < target - 1e-9 {
            fireDueEvents()
            let dt = min(tick, target - time)
            model?.step(dt: dt, random: &modelRandom)
            time += dt
            updateChannels(dt: dt)
        }
        fireDueEvents()
    }

    /// Advances virtual time by `duration` seconds.
    public mutating func advance(by duration: Double) {
        advance(to: time + duration)
    }

    /// Applies an event now (the control API's and stdin's injection path).
    /// Engine events (`probe_disconnect`, `probe_reconnect`) become faults.
    public mutating func inject(_ event: ModelEvent, label: String? = nil) throws(ModelError) {
        try apply(event, label: label ?? ProfileLoader.Decoder.label(for: event))
    }

    /// Adds a sensor fault starting now (or at `fault.start` if later).
    public mutating func inject(fault: FaultSpec) {
        faults.append(fault)
    }

    private mutating func apply(_ event: ModelEvent, label: String) throws(ModelError) {
        switch event.name {
        case "probe_disconnect", "probe_reconnect":
            guard let target = event.target, channels.contains(where: { $0.spec.name == target }) else {
                throw ModelError(.unknownTarget, "\(event.name) needs a target channel", key: "target")
            }
            if event.name == "probe_disconnect" {
                faults.append(
                    FaultSpec(kind: .disconnect, channel: target, start: time, duration: event.parameters["duration"]))
            } else {
                for index in faults.indices
                where faults[index].channel == target && faults[index].kind == .disconnect
                    && faults[index].isActive(at: time)
                {
                    faults[index].duration = time - faults[index].start
                }
            }
        default:
            guard model != nil else {
                throw ModelError(.unknownEvent, "event '\(event.name)' needs a model, and this profile has none")
            }
            try model!.apply(event)
        }
        log.append(LoggedEvent(time: time, label: label, event: event, error: nil))
    }

    private mutating func fireDueEvents() {
        let signals: (String) -> Double? = { [channels, model] name in
            if let value = model?.value(named: name) { return value }
            return channels.first { $0.spec.name == name }?.trueValue
        }
        for due in schedule.due(at: time, signal: signals) {
            do {
                try apply(due.event, label: due.label)
            } catch {
                log.append(LoggedEvent(time: time, label: due.label, event: due.event, error: error.message))
            }
        }
    }

    private mutating func updateChannels(dt: Double) {
        for index in channels.indices {
            channels[index].update(time: time, dt: dt, model: model, faults: faults)
        }
    }
}
