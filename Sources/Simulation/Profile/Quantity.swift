/// A physical dimension that profile values are written in, with the units
/// accepted for it and its canonical unit (what ``Quantity/parse(_:dimension:)`` returns).
public struct Dimension: Sendable, Hashable {
    /// Human name, used in error messages.
    public var name: String
    /// Accepted unit spellings → converter to canonical units.
    let units: [(spelling: String, toCanonical: @Sendable (Double) -> Double)]
    /// An example, for error messages.
    public var example: String
    /// The canonical unit of results.
    public var canonical: SignalUnit

    public static func == (lhs: Dimension, rhs: Dimension) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// Comma-separated list of accepted units.
    public var unitList: String { units.map(\.spelling).joined(separator: ", ") }

    /// Temperature in °F (canonical for smoker models).
    public static let temperature = Dimension(
        name: "temperature",
        units: [
            ("F", { $0 }), ("°F", { $0 }), ("C", { $0 * 9 / 5 + 32 }), ("°C", { $0 * 9 / 5 + 32 }),
            ("K", { ($0 - 273.15) * 9 / 5 + 32 }),
        ],
        example: "225F or 107C", canonical: .fahrenheit)

    /// A temperature difference in °F (noise, drift): no offset.
    public static let temperatureDelta = Dimension(
        name: "temperature difference",
        units: [("F", { $0 }), ("°F", { $0 }), ("C", { $0 * 9 / 5 }), ("°C", { $0 * 9 / 5 }), ("K", { $0 * 9 / 5 })],
        example: "0.5F", canonical: .fahrenheit)

    /// Mass in kilograms.
    public static let mass = Dimension(
        name: "mass", units: [("kg", { $0 }), ("g", { $0 / 1000 }), ("lb", { $0 * 0.453_592_37 })],
        example: "6kg or 13lb", canonical: .kilograms)

    /// Carbohydrate in grams.
    public static let carbohydrate = Dimension(
        name: "carbohydrate", units: [("g", { $0 }), ("kg", { $0 * 1000 })], example: "60g", canonical: .none)

    /// Speed in miles per hour.
    public static let speed = Dimension(
        name: "speed", units: [("mph", { $0 }), ("km/h", { $0 / 1.609_344 }), ("m/s", { $0 * 2.236_936 })],
        example: "10mph", canonical: .none)

    /// Glucose concentration in mg/dL.
    public static let glucose = Dimension(
        name: "glucose", units: [("mg/dL", { $0 }), ("mg/dl", { $0 }), ("mmol/L", { $0 * 18.0182 })],
        example: "120mg/dL", canonical: .milligramsPerDeciliter)

    /// Insulin in units.
    public static let insulin = Dimension(
        name: "insulin", units: [("U", { $0 }), ("u", { $0 })], example: "4U", canonical: .none)

    /// Insulin rate in units per hour.
    public static let insulinRate = Dimension(
        name: "insulin rate", units: [("U/h", { $0 }), ("U/hr", { $0 })], example: "0.8U/h", canonical: .none)

    /// A percentage 0–100.
    public static let percent = Dimension(
        name: "percentage", units: [("%", { $0 })], example: "35%", canonical: .percent)

    /// A time span in seconds (written with duration syntax: `90s`, `2h30m`).
    public static let time = Dimension(
        name: "duration", units: [("s", { $0 })], example: "90s", canonical: .seconds)

    /// The dimension whose canonical unit is `unit` (for channel-relative values such as noise sd).
    public static func delta(of unit: SignalUnit) -> Dimension {
        switch unit {
        case .fahrenheit, .celsius: .temperatureDelta
        case .milligramsPerDeciliter, .millimolesPerLiter: .glucose
        case .percent: .percent
        case .kilograms: .mass
        default: .plain
        }
    }

    /// The dimension of absolute values in `unit` (for clamp bounds, curve knots).
    public static func absolute(of unit: SignalUnit) -> Dimension {
        switch unit {
        case .fahrenheit, .celsius: .temperature
        case .milligramsPerDeciliter, .millimolesPerLiter: .glucose
        case .percent: .percent
        case .kilograms: .mass
        default: .plain
        }
    }

    /// No unit: a bare number.
    public static let plain = Dimension(name: "number", units: [], example: "0.5", canonical: .none)
}

/// Parses numbers with units (`225F`, `107 °C`, `6kg`, `120mg/dL`).
public enum Quantity {
    /// Why a quantity did not parse.
    public enum Failure: Error, Sendable, Equatable {
        case missingUnit
        case unknownUnit(String)
        case notANumber
    }

    /// Parses `text` in `dimension`, returning the value in the dimension's canonical unit.
    public static func parse(_ text: String, dimension: Dimension) -> Result<Double, Failure> {
        let trimmed = text.trimmingWhitespace()
        if dimension == .time {
            do {
                return .success(try DurationText.parse(trimmed))
            } catch .missingUnit {
                return .failure(.missingUnit)
            } catch {
                return .failure(.notANumber)
            }
        }
        var numberEnd = trimmed.startIndex
        for index in trimmed.indices {
            let c = trimmed[index]
            if c.isNumber || c == "." || c == "-" || c == "+"
                || c == "e" && index != trimmed.startIndex
                    && trimmed[trimmed.index(before: index)].isNumber
                    && trimmed.index(after: index) < trimmed.endIndex
                    && (trimmed[trimmed.index(after: index)].isNumber || trimmed[trimmed.index(after: index)] == "-")
            {
                numberEnd = trimmed.index(after: index)
            } else {
                break
            }
        }
        guard let value = Double(trimmed[..<numberEnd]), value.isFinite else { return .failure(.notANumber) }
        let unit = trimmed[numberEnd...].trimmingWhitespace()
        if dimension.units.isEmpty {
            return unit.isEmpty ? .success(value) : .failure(.unknownUnit(unit))
        }
        if unit.isEmpty {
            // A bare 0 is unambiguous for everything but absolute temperatures (0 °F ≠ 0 °C).
            let zeroIsFine = value == 0 && dimension != .temperature
            return zeroIsFine ? .success(dimension.units[0].toCanonical(0)) : .failure(.missingUnit)
        }
        guard let match = dimension.units.first(where: { $0.spelling == unit }) else {
            return .failure(.unknownUnit(unit))
        }
        return .success(match.toCanonical(value))
    }
}
