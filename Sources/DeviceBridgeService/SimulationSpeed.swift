/// How fast virtual time runs relative to the wall clock.
public enum SimulationSpeed: Sendable, Equatable, CustomStringConvertible {
    /// `factor` virtual seconds per wall second (1 = real time, 60 = a minute per second).
    case factor(Double)
    /// As fast as the reader reads: the next line is produced when the previous one was consumed.
    case max

    /// Parses `max`, `60`, `60x` or `0.5`.
    public init?(_ text: String) {
        let lowered = text.lowercased()
        let number = lowered.hasSuffix("x") ? String(lowered.dropLast()) : lowered
        if lowered == "max" {
            self = .max
        } else if let value = Double(number), value > 0, value.isFinite {
            self = .factor(value)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .max: "max (as fast as the reader reads)"
        case .factor(let value) where value == 1: "1x (real time)"
        case .factor(let value):
            "\(value == value.rounded() ? String(Int(value)) : String(value))x"
        }
    }
}
