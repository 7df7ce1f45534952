extension SmokerModel {
    /// Event names understood by ``apply(_:)``.
    public static let eventNames = [
        "lid_open", "setpoint", "fuel_out", "add_fuel", "wrap", "unwrap", "ambient", "wind",
    ]

    /// Applies an event.
    ///
    /// - `lid_open` {`duration` s, default 60}: the lid is open for that long.
    /// - `setpoint` {`value` °F, 100…700}: new setpoint (re-arms lid detection once reached).
    /// - `fuel_out` {}: the fire runs out of fuel and dies.
    /// - `add_fuel` {`kg` > 0}: adds fuel (the fire recovers).
    /// - `wrap` / `unwrap` (target `meat1`…`meat4`, or none for all meats).
    /// - `ambient` {`value` °F, −40…130}; `wind` {`value` mph, 0…30}.
    ///
    /// Throws ``ModelError``: `.unknownEvent`, `.badParameter` (with `key`) or
    /// `.unknownTarget`.
    public mutating func apply(_ event: ModelEvent) throws(ModelError) {
        switch event.name {
        case "lid_open":
            let duration = try Self.parameter(event, "duration", default: 60, in: 0.1...3600)
            lidOpenRemaining = max(lidOpenRemaining, duration)
        case "setpoint":
            controller.changeSetpoint(try Self.parameter(event, "value", in: 100...700))
        case "fuel_out":
            fuel = 0
        case "add_fuel":
            let kg = try Self.parameter(event, "kg", in: 0.001...100)
            fuel += kg
            fuelCapacity = max(fuelCapacity, fuel)
        case "wrap", "unwrap":
            let wrapped = event.name == "wrap"
            for index in try meatIndices(for: event.target) {
                meats[index].wrapped = wrapped
            }
        case "ambient":
            ambient = try Self.parameter(event, "value", in: -40...130)
        case "wind":
            windSpeed = try Self.parameter(event, "value", in: 0...30)
        default:
            throw ModelError(
                .unknownEvent,
                "smoker model has no event '\(event.name)' (known: \(Self.eventNames.joined(separator: ", ")))",
                key: event.name)
        }
    }

    private func meatIndices(for target: String?) throws(ModelError) -> Range<Int> {
        guard let target else { return meats.indices }
        if target.hasPrefix("meat"), let number = Int(target.dropFirst(4)), number >= 1, number <= meats.count {
            return (number - 1)..<number
        }
        throw ModelError(
            .unknownTarget,
            "no meat '\(target)' (this smoker has \(meats.count) meat\(meats.count == 1 ? "" : "s"))",
            key: target)
    }

    private static func parameter(
        _ event: ModelEvent, _ key: String, default defaultValue: Double? = nil, in range: ClosedRange<Double>
    ) throws(ModelError) -> Double {
        guard let value = event.parameters[key] ?? defaultValue else {
            throw ModelError(.badParameter, "\(event.name) needs parameter '\(key)'", key: key)
        }
        guard value.isFinite, range.contains(value) else {
            throw ModelError(
                .badParameter,
                "\(event.name): \(key) must be within \(range.lowerBound)…\(range.upperBound), got \(value)",
                key: key)
        }
        return value
    }
}
