import Foundation

/// A simulated continuous glucose monitor (Dexcom G6-like).
///
/// Fed the true interstitial glucose (typically every simulated minute), it
/// produces a ``CGMReading`` at every 5-minute boundary: interstitial glucose
/// times a slowly drifting calibration gain, plus Breton & Kovatchev 2008
/// noise, minus any compression low; rounded and clamped to the display range.
///
/// Codes: a value below 40 mg/dL is reported as `sgv` 39 ("LOW"); a value
/// above 400 is clamped to 400 ("HIGH"); during a sensor-error window (or if
/// the value is not finite) the reading carries `sgv` 38 (error). Code
/// readings have direction NOT COMPUTABLE, no delta, and are left out of the
/// trend. During warm-up and signal loss no reading is produced at all.
///
/// The trend is the least-squares slope (mg/dL/min) of the valid readings in
/// the last ``Configuration/trendWindow`` seconds (at least 3 readings needed).
/// The noise level is derived from the scatter of those readings around that line.
public struct CGMSensor: Sendable {
    /// A scheduled compression low: a sharp V-shaped dip of `depth` mg/dL.
    public struct CompressionLow: Sendable, Equatable, Codable {
        /// Start (s since simulation start).
        public var start: Double
        /// Duration (s); the bottom of the V is at the middle.
        public var duration: Double
        /// Depth at the bottom (mg/dL).
        public var depth: Double

        /// Creates a compression low.
        public init(start: Double, duration: Double, depth: Double) {
            self.start = start
            self.duration = duration
            self.depth = depth
        }

        /// Dip (mg/dL, ≥ 0) at `time`.
        public func dip(at time: Double) -> Double {
            guard time > start, time < start + duration else { return 0 }
            let x = (time - start) / duration
            return depth * (1 - abs(2 * x - 1))
        }
    }

    /// A window of time (s since simulation start).
    public struct TimeWindow: Sendable, Equatable, Codable {
        /// Start (s).
        public var start: Double
        /// Duration (s).
        public var duration: Double

        /// Creates a window.
        public init(start: Double, duration: Double) {
            self.start = start
            self.duration = duration
        }

        /// Whether `time` lies in [start, start + duration).
        public func contains(_ time: Double) -> Bool { time >= start && time < start + duration }
    }

    /// Sensor configuration.
    public struct Configuration: Sendable, Equatable {
        /// Interval between readings (s).
        public var sampleInterval: Double = 300
        /// Warm-up after insertion with no readings (s).
        public var warmUp: Double = 7200
        /// Sensor session length (s); a new warm-up starts at each session. `nil`: one endless session.
        public var sessionLength: Double?
        /// Scale of the Breton–Kovatchev noise (1 = published; 0 = none).
        public var noiseScale: Double = 1
        /// Standard deviation of the slow relative calibration-gain error (0.05 = 5 %).
        public var calibrationDrift: Double = 0.05
        /// Time of day at the simulation start (s after midnight), for nightly compression lows.
        public var startTimeOfDay: Double = 0
        /// Scheduled compression lows.
        public var compressionLows: [CompressionLow] = []
        /// Probability of a random compression low each night (00:00–05:00).
        public var compressionLowsPerNight: Double = 0
        /// Scheduled signal losses: no readings at all.
        public var signalLosses: [TimeWindow] = []
        /// Expected number of random signal losses (10–60 min each) per day.
        public var signalLossesPerDay: Double = 0
        /// Scheduled sensor errors: readings with code 38.
        public var sensorErrors: [TimeWindow] = []
        /// Window of readings used for the trend (s).
        public var trendWindow: Double = 900

        /// Creates a configuration with Dexcom G6-like defaults.
        public init() {}

        /// Checks that every value is in range.
        public func validate() throws(ModelError) {
            func check(_ key: String, _ value: Double, _ ok: Bool, _ what: String) throws(ModelError) {
                if !(value.isFinite && ok) {
                    throw ModelError(.badConfiguration, "'\(key)' must be \(what), got \(value)", key: key)
                }
            }
            try check("sampleInterval", sampleInterval, sampleInterval >= 1, "at least 1 s")
            try check("warmUp", warmUp, warmUp >= 0, "non-negative")
            if let s = sessionLength { try check("sessionLength", s, s > warmUp, "longer than the warm-up") }
            try check("noiseScale", noiseScale, noiseScale >= 0, "non-negative")
            try check(
                "calibrationDrift", calibrationDrift, calibrationDrift >= 0 && calibrationDrift < 0.5, "in [0, 0.5)")
            try check(
                "startTimeOfDay", startTimeOfDay, startTimeOfDay >= 0 && startTimeOfDay < 86400, "in [0, 86400) s")
            try check(
                "compressionLowsPerNight", compressionLowsPerNight, (0...1).contains(compressionLowsPerNight),
                "in [0, 1]")
            try check(
                "signalLossesPerDay", signalLossesPerDay, signalLossesPerDay >= 0 && signalLossesPerDay <= 100,
                "in [0, 100]")
            try check("trendWindow", trendWindow, trendWindow >= 2 * sampleInterval, "at least two sample intervals")
            for low in compressionLows {
                try check("compressionLows.duration", low.duration, low.duration > 0, "positive")
                try check("compressionLows.depth", low.depth, low.depth >= 0, "non-negative")
            }
            for window in signalLosses + sensorErrors {
                try check("duration", window.duration, window.duration >= 0, "non-negative")
            }
        }
    }

    /// The configuration.
    public let configuration: Configuration

    private var noise: BretonNoise
    private var drift: SlowDrift
    private var events: SeededRandom
    private var nextSample = 0.0
    private var generatedDay = -1
    private var lows: [CompressionLow]
    private var losses: [TimeWindow]
    private var history: [(time: Double, value: Double)] = []

    /// Creates a sensor inserted at time 0. Randomness comes only from `random`.
    public init(configuration: Configuration = Configuration(), random: SeededRandom) throws(ModelError) {
        try configuration.validate()
        self.configuration = configuration
        noise = BretonNoise(random: random.derived("cgm.noise"))
        drift = SlowDrift(random: random.derived("cgm.drift"), sd: configuration.calibrationDrift)
        events = random.derived("cgm.events")
        lows = configuration.compressionLows
        losses = configuration.signalLosses
        history.reserveCapacity(8)
    }

    /// Feeds the true interstitial glucose (mg/dL) at `time` (s since start, non-decreasing).
    /// Returns a reading when a sample is due (every ``Configuration/sampleInterval``), else `nil`.
    public mutating func sample(time: Double, interstitial: Double) -> CGMReading? {
        guard time + 1e-6 >= nextSample else { return nil }
        let interval = configuration.sampleInterval
        nextSample = ((time + 1e-6) / interval).rounded(.down) * interval + interval
        generateRandomEvents(upTo: time)
        if inWarmUp(time) || losses.contains(where: { $0.contains(time) }) {
            return nil
        }
        let error = configuration.noiseScale * noise.value(at: time)
        let gain = 1 + drift.value(at: time)
        var dip = 0.0
        for low in lows { dip += low.dip(at: time) }
        let raw = interstitial * gain + error - dip
        pruneEvents(before: time)
        if !raw.isFinite || configuration.sensorErrors.contains(where: { $0.contains(time) }) {
            return CGMReading(
                time: time, sgv: CGMReading.errorCode, direction: .notComputable, delta: nil, noise: 0,
                trueGlucose: interstitial)
        }
        let rounded = raw.rounded()
        if rounded < 40 {
            return CGMReading(
                time: time, sgv: CGMReading.lowCode, direction: .notComputable, delta: nil, noise: 0,
                trueGlucose: interstitial)
        }
        let sgv = Int(min(rounded, 400))
        history.removeAll { $0.time < time - configuration.trendWindow - 1 }
        history.append((time, Double(sgv)))
        let (slope, level) = trend()
        return CGMReading(
            time: time, sgv: sgv, direction: slope.map(TrendDirection.init(slope:)) ?? .notComputable,
            delta: slope.map { $0 * 5 }, noise: level, trueGlucose: interstitial)
    }

    /// Whether the sensor is warming up at `time`.
    public func inWarmUp(_ time: Double) -> Bool {
        var sinceInsertion = time
        if let session = configuration.sessionLength {
            sinceInsertion = time - (time / session).rounded(.down) * session
        }
        return sinceInsertion < configuration.warmUp
    }

    /// Least-squares slope (mg/dL/min) and noise level of the recent valid readings.
    private func trend() -> (slope: Double?, level: Int) {
        let n = Double(history.count)
        guard history.count >= 3 else { return (nil, 0) }
        var st = 0.0
        var sv = 0.0
        for p in history {
            st += p.time
            sv += p.value
        }
        let mt = st / n
        let mv = sv / n
        var stt = 0.0
        var stv = 0.0
        for p in history {
            stt += (p.time - mt) * (p.time - mt)
            stv += (p.time - mt) * (p.value - mv)
        }
        guard stt > 0 else { return (nil, 0) }
        let slopePerSecond = stv / stt
        var ss = 0.0
        for p in history {
            let r = p.value - (mv + slopePerSecond * (p.time - mt))
            ss += r * r
        }
        let rms = (ss / n).squareRoot()
        let level =
            switch rms {
            case ..<3: 1
            case ..<7: 2
            case ..<12: 3
            default: 4
            }
        return (slopePerSecond * 60, level)
    }

    private mutating func generateRandomEvents(upTo time: Double) {
        let c = configuration
        guard c.compressionLowsPerNight > 0 || c.signalLossesPerDay > 0 else { return }
        let day = Int(((c.startTimeOfDay + time) / 86400).rounded(.down))
        while generatedDay < day {
            generatedDay += 1
            let midnight = Double(generatedDay) * 86400 - c.startTimeOfDay
            if c.compressionLowsPerNight > 0, events.uniform() < c.compressionLowsPerNight {
                lows.append(
                    CompressionLow(
                        start: midnight + events.uniform(in: 0...(5 * 3600)),
                        duration: events.uniform(in: 900...2700),
                        depth: events.uniform(in: 30...70)))
            }
            if c.signalLossesPerDay > 0 {
                // Poisson count (Knuth), then uniform starts over the day.
                let limit = exp(-c.signalLossesPerDay)
                var product = events.uniform()
                var count = 0
                while product > limit {
                    count += 1
                    product *= events.uniform()
                }
                for _ in 0..<count {
                    losses.append(
                        TimeWindow(
                            start: midnight + events.uniform(in: 0...86400), duration: events.uniform(in: 600...3600)))
                }
            }
        }
    }

    private mutating func pruneEvents(before time: Double) {
        if !lows.isEmpty { lows.removeAll { $0.start + $0.duration < time } }
        if !losses.isEmpty { losses.removeAll { $0.start + $0.duration < time } }
    }

    /// Mean absolute relative difference (%) of valid readings against their true glucose.
    public static func mard(_ readings: [CGMReading]) -> Double {
        var sum = 0.0
        var n = 0
        for r in readings where r.isValid && r.trueGlucose > 0 {
            sum += abs(Double(r.sgv) - r.trueGlucose) / r.trueGlucose
            n += 1
        }
        return n == 0 ? .nan : 100 * sum / Double(n)
    }
}

/// A slow relative calibration error: AR(1) on a 1-hour grid (ρ = 0.95), interpolated.
struct SlowDrift: Sendable {
    static let gridStep = 3600.0
    static let rho = 0.95
    private var random: SeededRandom
    private let sd: Double
    private var index = 0
    private var previous: Double
    private var next: Double

    init(random: SeededRandom, sd: Double) {
        self.random = random
        self.sd = sd
        previous = sd * self.random.gaussian()
        next = Self.rho * previous + (1 - Self.rho * Self.rho).squareRoot() * sd * self.random.gaussian()
    }

    mutating func value(at time: Double) -> Double {
        guard sd > 0 else { return 0 }
        while time >= Double(index + 1) * Self.gridStep {
            index += 1
            previous = next
            next = Self.rho * previous + (1 - Self.rho * Self.rho).squareRoot() * sd * random.gaussian()
        }
        let f = (time - Double(index) * Self.gridStep) / Self.gridStep
        return previous + (next - previous) * min(max(f, 0), 1)
    }
}
