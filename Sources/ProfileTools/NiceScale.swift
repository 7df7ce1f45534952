import Foundation

/// A "nice" linear axis scale: bounds and tick step on 1, 2, 2.5 or 5 × 10ⁿ.
struct NiceScale: Sendable, Equatable {
    /// Lower bound of the axis (first tick).
    let lower: Double
    /// Upper bound of the axis (last tick).
    let upper: Double
    /// Distance between ticks.
    let step: Double

    /// Builds a scale covering `[minimum, maximum]` with about `targetTicks` ticks.
    init(minimum: Double, maximum: Double, targetTicks: Int = 5) {
        var lo = minimum.isFinite ? minimum : 0
        var hi = maximum.isFinite ? maximum : 1
        if hi < lo { swap(&lo, &hi) }
        if hi - lo < 1e-9 {
            let pad = max(1, abs(lo) * 0.05)
            lo -= pad
            hi += pad
        }
        let step = NiceScale.niceStep((hi - lo) / Double(max(1, targetTicks - 1)))
        self.step = step
        self.lower = (lo / step).rounded(.down) * step
        self.upper = (hi / step).rounded(.up) * step
    }

    /// The tick values from `lower` to `upper` inclusive.
    var ticks: [Double] {
        let n = Int(((upper - lower) / step).rounded())
        return (0...max(0, n)).map { lower + Double($0) * step }
    }

    /// Fraction digits needed to print the ticks exactly.
    var decimals: Int {
        for d in 0...6 {
            let scaled = step * pow(10, Double(d))
            if abs(scaled - scaled.rounded()) < 1e-6 { return d }
        }
        return 6
    }

    /// The smallest of 1, 2, 2.5, 5, 10 × 10ⁿ that is ≥ `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where m * magnitude >= raw * (1 - 1e-9) {
            return m * magnitude
        }
        return 10 * magnitude
    }
}
