/// A physical model that the profile engine steps through virtual time.
///
/// A model owns its state and exposes named outputs (for example the smoker's
/// `pit` and `meat1.core`). Channels in a profile read those outputs; events in a
/// profile become ``ModelEvent``s applied to the model. Models are pure: they
/// never read the wall clock and draw randomness only from the generator passed in.
public protocol PhysicalModel: Sendable {
    /// The outputs, in a stable order. ``value(at:)`` indexes into this array.
    var outputs: [ModelOutput] { get }

    /// Current value of the output at `index` in ``outputs``.
    func value(at index: Int) -> Double

    /// Advances the model by `dt` seconds of virtual time.
    mutating func step(dt: Double, random: inout SeededRandom)

    /// Applies an event (a lid opening, a meal, a setpoint change, …).
    /// Throws ``ModelError`` when the model does not know the event or a parameter is bad.
    mutating func apply(_ event: ModelEvent) throws(ModelError)
}

extension PhysicalModel {
    /// Index of the output called `name`, if the model has one.
    public func outputIndex(named name: String) -> Int? {
        outputs.firstIndex { $0.name == name }
    }

    /// Current value of the output called `name`, if the model has one.
    public func value(named name: String) -> Double? {
        outputIndex(named: name).map { value(at: $0) }
    }
}

/// One named output of a ``PhysicalModel``.
public struct ModelOutput: Sendable, Hashable {
    /// Name used by profiles, e.g. `pit`, `meat1.core`, `glucose`.
    public var name: String
    /// Unit of the value.
    public var unit: SignalUnit
    /// One-line description, shown by `devbridge profile check`.
    public var summary: String

    public init(_ name: String, unit: SignalUnit, summary: String = "") {
        self.name = name
        self.unit = unit
        self.summary = summary
    }
}

/// An event applied to a model at a point in virtual time.
///
/// `name` is the event type as written in profiles and in the control API
/// (`lid_open`, `wrap`, `setpoint`, `fuel_out`, `meal`, `bolus`, `spike`, …).
/// Numeric parameters are already converted to the model's canonical units
/// (seconds for durations, °F for smoker temperatures, grams, insulin units).
public struct ModelEvent: Sendable, Hashable {
    /// Event type.
    public var name: String
    /// Numeric parameters in canonical units, e.g. `["duration": 60]`.
    public var parameters: [String: Double]
    /// Optional target inside the model (e.g. `meat1` for `wrap`).
    public var target: String?

    public init(_ name: String, parameters: [String: Double] = [:], target: String? = nil) {
        self.name = name
        self.parameters = parameters
        self.target = target
    }
}

/// An error raised by a model for an event or configuration it cannot accept.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Machine-readable code.
    public enum Code: String, Sendable {
        case unknownEvent = "unknown-event"
        case badParameter = "bad-parameter"
        case unknownTarget = "unknown-target"
        case badConfiguration = "bad-configuration"
    }

    public var code: Code
    public var message: String
    /// The parameter or key at fault, when there is one.
    public var key: String?

    public init(_ code: Code, _ message: String, key: String? = nil) {
        self.code = code
        self.message = message
        self.key = key
    }

    public var description: String { message }
}
