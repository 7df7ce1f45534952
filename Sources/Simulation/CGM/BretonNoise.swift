import Foundation

/// CGM sensor error after Breton & Kovatchev 2008: an AR(1) process on a
/// 15-minute grid, `e = 0.7·(e + N(0,1))`, mapped through a Johnson SU
/// transform `ξ + λ·sinh((e − γ)/δ)` and linearly interpolated in between.
public struct BretonNoise: Sendable {
    /// Johnson SU parameters (mg/dL for ξ and λ).
    public static let xi = -5.47
    public static let lambda = 15.9574
    public static let gamma = -0.5444
    public static let delta = 1.6898
    /// Grid step of the AR(1) process (s).
    public static let gridStep = 900.0

    private var random: SeededRandom
    private var e: Double
    private var index = 0
    private var previous: Double
    private var next: Double

    /// Creates the process at time 0; the AR state starts from its stationary distribution.
    public init(random: SeededRandom) {
        self.random = random
        // Stationary variance of e = 0.7(e + z): 0.49 / 0.51.
        e = self.random.gaussian() * (0.49 / 0.51).squareRoot()
        previous = Self.transform(e)
        e = 0.7 * (e + self.random.gaussian())
        next = Self.transform(e)
    }

    /// The Johnson SU transform of an AR value (mg/dL).
    public static func transform(_ e: Double) -> Double {
        xi + lambda * sinh((e - gamma) / delta)
    }

    /// Error (mg/dL) at `time` seconds; times must not decrease between calls.
    public mutating func value(at time: Double) -> Double {
        while time >= Double(index + 1) * Self.gridStep {
            index += 1
            previous = next
            e = 0.7 * (e + random.gaussian())
            next = Self.transform(e)
        }
        let f = (time - Double(index) * Self.gridStep) / Self.gridStep
        return previous + (next - previous) * min(max(f, 0), 1)
    }
}
