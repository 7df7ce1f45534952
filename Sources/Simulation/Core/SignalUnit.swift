/// Units of simulated signals.
public enum SignalUnit: String, Sendable, Hashable, CaseIterable, Codable {
    case fahrenheit = "F"
    case celsius = "C"
    case milligramsPerDeciliter = "mg/dL"
    case millimolesPerLiter = "mmol/L"
    case percent = "%"
    case kilograms = "kg"
    case seconds = "s"
    case none = ""

    /// Short label for axes and headers (`°F`, `mg/dL`).
    public var label: String {
        switch self {
        case .fahrenheit: "°F"
        case .celsius: "°C"
        default: rawValue
        }
    }

    /// Whether values in `self` can be converted to `other`.
    public func isConvertible(to other: SignalUnit) -> Bool {
        self == other || dimension == other.dimension && dimension != nil
    }

    private var dimension: String? {
        switch self {
        case .fahrenheit, .celsius: "temperature"
        case .milligramsPerDeciliter, .millimolesPerLiter: "glucose"
        default: nil
        }
    }

    /// Converts `value` from `self` to `other`. Returns `value` unchanged when units are equal.
    public func convert(_ value: Double, to other: SignalUnit) -> Double {
        switch (self, other) {
        case (.fahrenheit, .celsius): (value - 32) * 5 / 9
        case (.celsius, .fahrenheit): value * 9 / 5 + 32
        case (.milligramsPerDeciliter, .millimolesPerLiter): value / 18.0182
        case (.millimolesPerLiter, .milligramsPerDeciliter): value * 18.0182
        default: value
        }
    }

    /// Converts a temperature *difference* (no offset), used for noise and deadbands.
    public func convertDelta(_ delta: Double, to other: SignalUnit) -> Double {
        switch (self, other) {
        case (.fahrenheit, .celsius): delta * 5 / 9
        case (.celsius, .fahrenheit): delta * 9 / 5
        default: convert(delta, to: other) - convert(0, to: other)
        }
    }
}
