/// A piecewise curve through knots, evaluated at any time.
public struct Curve: Sendable, Hashable {
    /// How values between knots are formed.
    public enum Interpolation: String, Sendable, Hashable, CaseIterable {
        /// Straight lines between knots.
        case linear
        /// Hold each knot's value until the next knot.
        case step
        /// Smoothstep easing between knots (flat at each knot, no overshoot).
        case smooth
    }

    /// Knot times in seconds, strictly increasing.
    public private(set) var times: [Double]
    public private(set) var values: [Double]
    public var interpolation: Interpolation
    /// Repeat the curve after its last knot.
    public var loop: Bool

    /// Creates a curve. Times must be strictly increasing and non-empty (checked by the loader).
    public init(times: [Double], values: [Double], interpolation: Interpolation = .linear, loop: Bool = false) {
        precondition(!times.isEmpty && times.count == values.count, "a curve needs matching, non-empty knots")
        self.times = times
        self.values = values
        self.interpolation = interpolation
        self.loop = loop
    }

    /// The value at `time` (clamped to the first/last knot outside the range unless looping).
    public func value(at time: Double) -> Double {
        var t = time
        if loop, let last = times.last, let first = times.first, last > first, t > last {
            t = first + (t - first).truncatingRemainder(dividingBy: last - first)
        }
        if t <= times[0] { return values[0] }
        if t >= times[times.count - 1] { return values[values.count - 1] }
        // Binary search for the segment [i, i+1] containing t.
        var low = 0
        var high = times.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if times[mid] <= t { low = mid } else { high = mid }
        }
        let fraction = (t - times[low]) / (times[high] - times[low])
        let a = values[low]
        let b = values[high]
        switch interpolation {
        case .linear: return a + (b - a) * fraction
        case .step: return a
        case .smooth: return a + (b - a) * fraction * fraction * (3 - 2 * fraction)
        }
    }
}
