/// The event types profiles and the control API may use, with their parameters.
///
/// Parameters are written with units in YAML (`duration: 90s`, `grams: 60g`)
/// and passed to models in canonical units (seconds, °F, kg, g, U, mg/dL, mph).
public struct EventType: Sendable {
    /// One parameter of an event.
    public struct Parameter: Sendable {
        public var name: String
        public var dimension: Dimension
        public var required: Bool
        public var summary: String
    }

    public var name: String
    public var summary: String
    /// Model types that accept it; empty = handled by the engine itself.
    public var models: [String]
    public var parameters: [Parameter]
    /// Whether the event may name a `target` (a meat, a channel).
    public var takesTarget: Bool
}

/// Registry of known event types.
public enum EventCatalog {
    private static func p(_ name: String, _ dimension: Dimension, required: Bool = false, _ summary: String)
        -> EventType.Parameter
    {
        EventType.Parameter(name: name, dimension: dimension, required: required, summary: summary)
    }

    /// Every event type.
    public static let all: [EventType] = [
        EventType(
            name: "lid_open", summary: "The smoker lid opens: a sharp pit drop, then recovery.", models: ["smoker"],
            parameters: [p("duration", .time, "how long the lid stays open (default 60s)")], takesTarget: false),
        EventType(
            name: "setpoint", summary: "Change the pit setpoint.", models: ["smoker"],
            parameters: [p("value", .temperature, required: true, "new setpoint")], takesTarget: false),
        EventType(
            name: "fuel_out", summary: "The fire dies: the pit decays while output saturates.", models: ["smoker"],
            parameters: [], takesTarget: false),
        EventType(
            name: "add_fuel", summary: "Add fuel to the fire.", models: ["smoker"],
            parameters: [p("kg", .mass, required: true, "fuel added")], takesTarget: false),
        EventType(
            name: "wrap", summary: "Wrap meat in foil or paper (Texas crutch): ends the stall.", models: ["smoker"],
            parameters: [], takesTarget: true),
        EventType(
            name: "unwrap", summary: "Unwrap meat.", models: ["smoker"], parameters: [], takesTarget: true),
        EventType(
            name: "ambient", summary: "Change the ambient temperature.", models: ["smoker"],
            parameters: [p("value", .temperature, required: true, "new ambient temperature")], takesTarget: false),
        EventType(
            name: "wind", summary: "Change the wind speed.", models: ["smoker"],
            parameters: [p("value", .speed, required: true, "new wind speed")], takesTarget: false),
        EventType(
            name: "meal", summary: "Eat carbohydrate (optionally with a bolus).", models: ["glucose"],
            parameters: [
                p("grams", .carbohydrate, required: true, "carbohydrate eaten"),
                p("bolus", .insulin, "insulin bolus given with the meal"),
            ], takesTarget: false),
        EventType(
            name: "bolus", summary: "Give an insulin bolus.", models: ["glucose"],
            parameters: [p("units", .insulin, required: true, "bolus size")], takesTarget: false),
        EventType(
            name: "basal", summary: "Change the basal insulin rate.", models: ["glucose"],
            parameters: [p("rate", .insulinRate, required: true, "new basal rate")], takesTarget: false),
        EventType(
            name: "exercise", summary: "Exercise: raises glucose uptake for its duration.", models: ["glucose"],
            parameters: [
                p("duration", .time, required: true, "how long"),
                p("intensity", .plain, "0 (rest) to 1 (maximal), default 0.5"),
            ], takesTarget: false),
        EventType(
            name: "spike", summary: "A fast synthetic glucose rise for smoke tests.", models: ["glucose"],
            parameters: [
                p("amount", .glucose, "rise (default 120mg/dL)"), p("duration", .time, "rise time (default 30m)"),
            ], takesTarget: false),
        EventType(
            name: "probe_disconnect", summary: "Unplug a probe: its channel reads as disconnected.", models: [],
            parameters: [p("duration", .time, "how long (default: until probe_reconnect)")], takesTarget: true),
        EventType(
            name: "probe_reconnect", summary: "Plug a probe back in.", models: [], parameters: [], takesTarget: true),
    ]

    /// The event type called `name`.
    public static func type(named name: String) -> EventType? {
        all.first { $0.name == name }
    }

    /// Event types usable with a model type (plus the engine's own).
    public static func types(forModel model: String?) -> [EventType] {
        all.filter { $0.models.isEmpty || model.map($0.models.contains) == true }
    }
}
