/// One CGM reading, as a Dexcom G6 would report it every 5 minutes.
public struct CGMReading: Sendable, Equatable, Codable {
    /// Display value below the range: the receiver shows "LOW".
    public static let lowCode = 39
    /// Sensor error: the reading arrived but carries no glucose value.
    public static let errorCode = 38
    /// Display range of valid readings (mg/dL); higher values are clamped to 400 ("HIGH").
    public static let displayRange = 40...400

    /// Seconds since the start of the simulation.
    public var time: Double
    /// Sensor glucose (mg/dL), 40–400, or ``lowCode`` / ``errorCode``.
    public var sgv: Int
    /// Trend arrow.
    public var direction: TrendDirection
    /// Change per 5 minutes (slope × 5 min, mg/dL), `nil` when not computable.
    public var delta: Double?
    /// Nightscout noise level: 0 unknown, 1 clean, 2 light, 3 medium, 4 heavy.
    public var noise: Int
    /// True interstitial glucose at the sample time (mg/dL), for evaluation.
    public var trueGlucose: Double

    /// Whether ``sgv`` is a glucose value (not a low or error code).
    public var isValid: Bool { Self.displayRange.contains(sgv) }

    /// Creates a reading.
    public init(time: Double, sgv: Int, direction: TrendDirection, delta: Double?, noise: Int, trueGlucose: Double) {
        self.time = time
        self.sgv = sgv
        self.direction = direction
        self.delta = delta
        self.noise = noise
        self.trueGlucose = trueGlucose
    }
}
