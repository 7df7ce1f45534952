/// Trend arrow of a CGM reading, with Nightscout's direction strings as raw values.
public enum TrendDirection: String, Sendable, CaseIterable, Codable {
    case none = "NONE"
    case tripleUp = "TripleUp"
    case doubleUp = "DoubleUp"
    case singleUp = "SingleUp"
    case fortyFiveUp = "FortyFiveUp"
    case flat = "Flat"
    case fortyFiveDown = "FortyFiveDown"
    case singleDown = "SingleDown"
    case doubleDown = "DoubleDown"
    case tripleDown = "TripleDown"
    case notComputable = "NOT COMPUTABLE"
    case rateOutOfRange = "RATE OUT OF RANGE"

    /// The arrow for a rate of change in mg/dL/min (Dexcom thresholds):
    /// ≤ −3.5 DoubleDown, ≤ −2 SingleDown, ≤ −1 FortyFiveDown, ≤ 1 Flat,
    /// ≤ 2 FortyFiveUp, ≤ 3.5 SingleUp, else DoubleUp; NaN/∞ → NOT COMPUTABLE.
    public init(slope: Double) {
        guard slope.isFinite else {
            self = .notComputable
            return
        }
        self =
            switch slope {
            case ...(-3.5): .doubleDown
            case ...(-2): .singleDown
            case ...(-1): .fortyFiveDown
            case ...1: .flat
            case ...2: .fortyFiveUp
            case ...3.5: .singleUp
            default: .doubleUp
            }
    }
}
