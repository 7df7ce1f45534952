/// A parsed, validated profile: a timeline over a physical model.
///
/// Profiles are written in YAML (see `docs/profiles.md` and `profiles/schema.json`)
/// and loaded with ``ProfileLoader``. A `Profile` is plain data; ``Simulation``
/// runs it.
public struct Profile: Sendable {
    /// Short name (`smoker-brisket`).
    public var name: String
    /// One-paragraph description.
    public var summary: String
    /// Where it was loaded from (a path, or `<embedded NAME>`).
    public var source: String
    /// Display unit for temperature channels (°F or °C).
    public var temperatureUnit: SignalUnit
    public var clock: ClockSpec
    /// The physical model, if any (a profile may consist of curves and CSV replays only).
    public var model: ModelSpec?
    public var channels: [ChannelSpec]
    public var events: [EventSpec]
    public var randomEvents: [RandomEventSpec]
    public var faults: [FaultSpec]
    /// The `device:` section as written (protocol hint, channel per probe); empty when absent.
    public var device: DeviceSection

    /// The channel called `name`.
    public func channel(named name: String) -> ChannelSpec? {
        channels.first { $0.name == name }
    }
}

/// The virtual clock: start, tick, seed and default run length.
public struct ClockSpec: Sendable, Hashable {
    /// Virtual start as seconds since the Unix epoch (UTC).
    public var startEpoch: Double
    /// Time of day of the start, seconds after local midnight (from the written offset).
    public var startTimeOfDay: Double
    /// Model step in seconds.
    public var tick: Double
    /// Default random seed.
    public var seed: UInt64
    /// Default run length in seconds (`profile run` without `--until`), or nil.
    public var duration: Double?

    public init(startEpoch: Double, startTimeOfDay: Double, tick: Double, seed: UInt64, duration: Double?) {
        self.startEpoch = startEpoch
        self.startTimeOfDay = startTimeOfDay
        self.tick = tick
        self.seed = seed
        self.duration = duration
    }
}

/// The physical model section: its type and its raw configuration node.
public struct ModelSpec: Sendable {
    /// Registered model type (`smoker`, `glucose`).
    public var type: String
    /// The `model:` mapping, decoded by the model's factory.
    public var node: ProfileNode
}

/// A channel: a source of true values plus a sensor layer.
public struct ChannelSpec: Sendable {
    public var name: String
    public var source: SignalSourceSpec
    /// Unit of the values the channel reports.
    public var unit: SignalUnit
    public var sensor: SensorSpec
    public var location: SourceLocation
}

/// Where a channel's true value comes from.
public enum SignalSourceSpec: Sendable {
    /// A named output of the model (`pit`, `meat1.core`); values converted to the channel unit.
    case model(output: String)
    /// A curve through knots.
    case curve(Curve)
    /// A recorded series (from CSV), interpolated linearly; `loop` repeats it.
    case series(Curve)
}

/// The sensor between a true value and a reading.
public struct SensorSpec: Sendable, Equatable {
    /// Seconds between samples; the reading holds between samples. nil = every tick.
    public var interval: Double?
    /// First-order lag time constant in seconds (0 = none).
    public var lag: Double
    public var noise: NoiseSpec?
    /// Quantization step in channel units (0 = none).
    public var quantization: Double
    public var clamp: ClosedRange<Double>?
    /// No readings before this many seconds.
    public var warmup: Double
    /// A CGM sensor (`type: cgm`): 5-minute samples, Breton–Kovatchev noise, codes,
    /// compression lows, signal loss and trend arrows replace the generic layer.
    public var cgm: CGMSensor.Configuration?

    public init(
        interval: Double? = nil, lag: Double = 0, noise: NoiseSpec? = nil, quantization: Double = 0,
        clamp: ClosedRange<Double>? = nil, warmup: Double = 0
    ) {
        self.interval = interval
        self.lag = lag
        self.noise = noise
        self.quantization = quantization
        self.clamp = clamp
        self.warmup = warmup
    }
}

/// Sensor noise models, in channel units.
public enum NoiseSpec: Sendable, Hashable {
    /// White gaussian noise with standard deviation `sd`.
    case gaussian(sd: Double)
    /// AR(1) noise, e ← φ·e + sd·√(1−φ²)·N(0,1) per sample (stationary sd).
    case ar1(phi: Double, sd: Double)
    /// Johnson SU transformed AR(1) noise on a fixed grid (Breton & Kovatchev 2008):
    /// e ← φ·(e + N(0,1)) every `grid` seconds, value ξ + λ·sinh((e − γ)/δ), interpolated.
    case johnsonSU(xi: Double, lambda: Double, gamma: Double, delta: Double, phi: Double, grid: Double)

    /// Breton & Kovatchev 2008 parameters for CGM sensors (mg/dL).
    public static let bretonKovatchev = NoiseSpec.johnsonSU(
        xi: -5.47, lambda: 15.9574, gamma: -0.5444, delta: 1.6898, phi: 0.7, grid: 900)
}

/// When an event happens.
public enum EventTrigger: Sendable, Hashable {
    /// At an offset from the start, in seconds.
    case offset(Double)
    /// At a time of day (seconds after midnight), once or every day.
    case timeOfDay(Double, daily: Bool)
    /// When a model output or channel crosses a threshold, optionally after a delay.
    case condition(EventCondition)
}

/// A threshold crossing that triggers an event once.
public struct EventCondition: Sendable, Hashable {
    /// Model output or channel name.
    public var signal: String
    /// Fires when the value is ≥ `above` (in the signal's canonical unit)…
    public var above: Double?
    /// …or ≤ `below`.
    public var below: Double?
    /// Seconds to wait after the crossing.
    public var delay: Double
}

/// A scheduled event from the `events:` list.
public struct EventSpec: Sendable {
    public var trigger: EventTrigger
    public var event: ModelEvent
    public var location: SourceLocation
    /// A short label for plots and logs (`lid_open 90s`).
    public var label: String
}

/// A random event: it happens with `probability` (per day when `daily`) at a
/// uniformly drawn time inside `window`, with parameters drawn from distributions.
public struct RandomEventSpec: Sendable {
    public var type: String
    public var target: String?
    public var probability: Double
    /// Window start and end: offsets in seconds, or times of day when `daily`.
    public var window: ClosedRange<Double>
    public var daily: Bool
    public var parameters: [String: Distribution]
    public var location: SourceLocation
}

/// A distribution for a random event's parameter.
public enum Distribution: Sendable, Hashable {
    case constant(Double)
    case uniform(ClosedRange<Double>)
    /// Normal, truncated at zero.
    case normal(mean: Double, sd: Double)

    /// Draws a value.
    public func draw(_ random: inout SeededRandom) -> Double {
        switch self {
        case .constant(let value): value
        case .uniform(let range): random.uniform(in: range)
        case .normal(let mean, let sd): max(0, random.gaussian(mean: mean, sd: sd))
        }
    }
}

/// Kinds of sensor fault.
public enum FaultKind: String, Sendable, Hashable, CaseIterable {
    /// The probe reads as disconnected (devices print `nan`/`U`).
    case disconnect
    /// Samples are lost: no reading at all (a gap).
    case dropout
    /// The reading freezes at its value when the fault starts.
    case stuck
    /// The reading jumps by `amount`.
    case spike
    /// The reading drifts by `rate` per hour.
    case drift
}

/// A sensor fault on one channel.
public struct FaultSpec: Sendable, Hashable {
    public var kind: FaultKind
    public var channel: String
    public var start: Double
    /// nil = until the end.
    public var duration: Double?
    /// Spike height (channel units).
    public var amount: Double
    /// Drift per hour (channel units).
    public var rate: Double
    public var location: SourceLocation?

    public init(
        kind: FaultKind, channel: String, start: Double, duration: Double?, amount: Double = 0, rate: Double = 0,
        location: SourceLocation? = nil
    ) {
        self.kind = kind
        self.channel = channel
        self.start = start
        self.duration = duration
        self.amount = amount
        self.rate = rate
        self.location = location
    }

    /// Whether the fault is in force at `time`.
    public func isActive(at time: Double) -> Bool {
        time >= start && (duration.map { time < start + $0 } ?? true)
    }

    /// Plot/log label.
    public var label: String {
        "\(kind.rawValue) \(channel)"
    }
}

/// The profile's `device:` section as written: a protocol hint and which channels the
/// profile assigns to which probe, checked against the channels, with no defaults filled in.
///
/// The profile file's schema is Simulation's business; what a device makes of it (e.g. a
/// channel called `pit` feeds the pit probe unless the section says otherwise) is the
/// device's: see `DeviceSpec` in VirtualDevices.
public struct DeviceSection: Sendable, Hashable {
    /// `protocol:` (`smart-smoker`, `heatermeter`, `cgm-jsonl`), if written.
    public var protocolName: String?
    /// `pit:` — the channel written for the pit/chamber probe.
    public var pit: String?
    /// `food:` — channels written for food probes 1…4 (at most 4), or nil when absent.
    public var food: [String]?
    /// `ambient:` — the channel written for the ambient probe.
    public var ambient: String?
    /// `glucose:` — the channel written for the glucose reading (CGM devices).
    public var glucose: String?

    public init(
        protocolName: String? = nil, pit: String? = nil, food: [String]? = nil, ambient: String? = nil,
        glucose: String? = nil
    ) {
        self.protocolName = protocolName
        self.pit = pit
        self.food = food
        self.ambient = ambient
        self.glucose = glucose
    }
}
