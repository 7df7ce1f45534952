import Foundation

/// A glucose–insulin model of a person with type 1 diabetes: the Hovorka 2004
/// ("Cambridge") model with a first-order interstitial compartment, a dawn
/// phenomenon, exercise and a synthetic "spike" for smoke tests.
///
/// Outputs, in order: `glucose` (plasma, mg/dL), `interstitial` (mg/dL),
/// `insulin` (plasma insulin, mU/L), `carbs_on_board` (g still in the gut),
/// `insulin_on_board` (bolus insulin still in the subcutaneous depot, U; basal excluded).
///
/// Events: `meal` {grams, optional bolus (U)}, `bolus` {units}, `basal` {rate (U/h)},
/// `exercise` {duration (s, default 1800), intensity (0–1, default 0.5)},
/// `spike` {amount (mg/dL, default 120), duration (s, default 1800)}.
/// Unknown parameter keys are ignored; event targets are ignored.
///
/// Integration: classical RK4 with substeps of at most
/// ``Configuration/maxSubstep`` seconds (60 s by default).
public struct GlucoseModel: PhysicalModel {
    /// Conversion from mmol/L to mg/dL for glucose.
    public static let mgdlPerMmol = 18.0182
    /// Molar mass of glucose (g/mol).
    static let glucoseMolarMass = 180.156

    /// Model configuration.
    public struct Configuration: Sendable, Equatable {
        /// Patient preset.
        public var patient: Patient
        /// Parameters; `nil` uses the preset's.
        public var parameters: HovorkaParameters?
        /// Continuous basal insulin (U/h); `nil` uses the rate that holds the preset's target glucose.
        public var basalRate: Double?
        /// Time of day at the start of the simulation (seconds after midnight).
        public var startTimeOfDay: Double
        /// Time constant of the plasma-to-interstitial lag (s).
        public var interstitialTimeConstant: Double
        /// Dawn phenomenon: peak relative increase of EGP0 (0.2 = +20 %); 0 disables it.
        public var dawnAmplitude: Double
        /// Dawn window, seconds after midnight; EGP follows a smooth bump peaking mid-window.
        public var dawnStart: Double
        /// End of the dawn window (seconds after midnight).
        public var dawnEnd: Double
        /// Exercise at intensity 1 multiplies insulin-dependent transport/disposal by `1 + exerciseInsulinGain`.
        public var exerciseInsulinGain: Double
        /// Exercise at intensity 1 multiplies insulin-independent uptake by `1 + exerciseUptakeGain`.
        public var exerciseUptakeGain: Double
        /// Largest integration substep (s).
        public var maxSubstep: Double

        /// Creates a configuration; the defaults describe an adult starting at midnight.
        public init(
            patient: Patient = .adult,
            parameters: HovorkaParameters? = nil,
            basalRate: Double? = nil,
            startTimeOfDay: Double = 0,
            interstitialTimeConstant: Double = 300,
            dawnAmplitude: Double = 0.15,
            dawnStart: Double = 4 * 3600,
            dawnEnd: Double = 8 * 3600,
            exerciseInsulinGain: Double = 1.5,
            exerciseUptakeGain: Double = 1.0,
            maxSubstep: Double = 60
        ) {
            self.patient = patient
            self.parameters = parameters
            self.basalRate = basalRate
            self.startTimeOfDay = startTimeOfDay
            self.interstitialTimeConstant = interstitialTimeConstant
            self.dawnAmplitude = dawnAmplitude
            self.dawnStart = dawnStart
            self.dawnEnd = dawnEnd
            self.exerciseInsulinGain = exerciseInsulinGain
            self.exerciseUptakeGain = exerciseUptakeGain
            self.maxSubstep = maxSubstep
        }
    }

    /// The configuration the model was created with.
    public let configuration: Configuration
    /// Effective parameters.
    public let parameters: HovorkaParameters
    /// Current basal rate (U/h).
    public private(set) var basalRate: Double
    /// Virtual time elapsed since the start (s).
    public private(set) var elapsed: Double = 0

    private let constants: HovorkaConstants
    private var state: HovorkaState
    private var exerciseEnd: Double = -1
    private var exerciseIntensity: Double = 0
    private var infusions: [(rate: Double, end: Double)] = []

    /// The outputs: glucose, interstitial, insulin, carbs_on_board, insulin_on_board.
    public let outputs: [ModelOutput] = [
        ModelOutput("glucose", unit: .milligramsPerDeciliter, summary: "plasma glucose"),
        ModelOutput("interstitial", unit: .milligramsPerDeciliter, summary: "interstitial glucose (what a CGM sees)"),
        ModelOutput("insulin", unit: .none, summary: "plasma insulin (mU/L)"),
        ModelOutput("carbs_on_board", unit: .none, summary: "carbohydrate still to be absorbed (g)"),
        ModelOutput("insulin_on_board", unit: .none, summary: "bolus insulin still to be absorbed (U)"),
    ]

    /// Creates a model at the steady state of its basal rate (no meals, no dawn).
    public init(configuration: Configuration = Configuration()) throws(ModelError) {
        let params = configuration.parameters ?? configuration.patient.parameters
        try params.validate()
        func check(_ key: String, _ value: Double, _ ok: Bool, _ what: String) throws(ModelError) {
            if !(value.isFinite && ok) {
                throw ModelError(.badConfiguration, "'\(key)' must be \(what), got \(value)", key: key)
            }
        }
        let c = configuration
        if let rate = c.basalRate { try check("basalRate", rate, rate >= 0 && rate <= 50, "between 0 and 50 U/h") }
        try check(
            "startTimeOfDay", c.startTimeOfDay, c.startTimeOfDay >= 0 && c.startTimeOfDay < 86400, "in [0, 86400) s")
        try check("interstitialTimeConstant", c.interstitialTimeConstant, c.interstitialTimeConstant > 0, "positive")
        try check("dawnAmplitude", c.dawnAmplitude, c.dawnAmplitude >= 0 && c.dawnAmplitude <= 2, "between 0 and 2")
        try check("dawnStart", c.dawnStart, c.dawnStart >= 0 && c.dawnStart < 86400, "in [0, 86400) s")
        try check("dawnEnd", c.dawnEnd, c.dawnEnd > c.dawnStart && c.dawnEnd <= 86400, "after dawnStart and ≤ 86400 s")
        try check("exerciseInsulinGain", c.exerciseInsulinGain, c.exerciseInsulinGain >= 0, "non-negative")
        try check("exerciseUptakeGain", c.exerciseUptakeGain, c.exerciseUptakeGain >= 0, "non-negative")
        try check("maxSubstep", c.maxSubstep, c.maxSubstep > 0 && c.maxSubstep <= 300, "in (0, 300] s")
        self.configuration = configuration
        self.parameters = params
        let constants = HovorkaConstants(params, interstitialTimeConstant: c.interstitialTimeConstant)
        self.constants = constants
        let basal =
            c.basalRate ?? Self.steadyStateBasalRate(parameters: params, glucose: configuration.patient.targetGlucose)
        self.basalRate = basal
        self.state = constants.steadyState(insulinRate: basal * 1000 / 60)
    }

    /// Basal rate (U/h) whose steady state (no meals, no dawn) is `glucose` (mg/dL).
    public static func steadyStateBasalRate(parameters: HovorkaParameters, glucose: Double) -> Double {
        let k = HovorkaConstants(parameters, interstitialTimeConstant: 300)
        let g = glucose / mgdlPerMmol
        let q1 = g * k.vG
        // Glucose removal by insulin rises with plasma insulin; EGP falls: bisect on insulin.
        func net(_ i: Double) -> Double {
            let x1 = k.kb1 / k.ka1 * i
            let x2 = k.kb2 / k.ka2 * i
            let x3 = k.kb3 / k.ka3 * i
            let egp = max(0, k.egp0 * (1 - x3))
            return egp - k.f01c(g) - k.renal(g) - x1 * x2 / (k.k12 + x2) * q1
        }
        var lo = 0.0
        var hi = 1000.0
        for _ in 0..<200 where hi - lo > 1e-12 {
            let mid = (lo + hi) / 2
            if net(mid) > 0 { lo = mid } else { hi = mid }
        }
        let insulin = (lo + hi) / 2
        return insulin * k.ke * k.vI * 60 / 1000
    }

    /// Time of day now (seconds after midnight).
    public var timeOfDay: Double {
        (configuration.startTimeOfDay + elapsed).truncatingRemainder(dividingBy: 86400)
    }

    public func value(at index: Int) -> Double {
        switch index {
        case 0: state.q1 / constants.vG * Self.mgdlPerMmol
        case 1: state.interstitial * Self.mgdlPerMmol
        case 2: state.insulin
        case 3: (state.d1 + state.d2) / constants.ag * Self.glucoseMolarMass / 1000
        case 4: (state.b1 + state.b2) / 1000
        default: .nan
        }
    }

    /// Plasma glucose (mg/dL).
    public var glucose: Double { value(at: 0) }
    /// Interstitial glucose (mg/dL).
    public var interstitial: Double { value(at: 1) }

    /// EGP multiplier of the dawn phenomenon at `timeOfDay` (s after midnight).
    public func dawnFactor(timeOfDay: Double) -> Double {
        let c = configuration
        guard c.dawnAmplitude > 0, timeOfDay > c.dawnStart, timeOfDay < c.dawnEnd else { return 1 }
        let s = sin(Double.pi * (timeOfDay - c.dawnStart) / (c.dawnEnd - c.dawnStart))
        return 1 + c.dawnAmplitude * s * s
    }

    public mutating func step(dt: Double, random: inout SeededRandom) {
        guard dt > 0, dt.isFinite else { return }
        let substeps = max(1, Int((dt / configuration.maxSubstep).rounded(.up)))
        let h = dt / Double(substeps)
        for _ in 0..<substeps {
            substep(h)
        }
    }

    private mutating func substep(_ h: Double) {
        let mid = elapsed + h / 2
        var tod = (configuration.startTimeOfDay + mid).truncatingRemainder(dividingBy: 86400)
        if tod < 0 { tod += 86400 }
        var glucoseRate = 0.0
        if !infusions.isEmpty {
            for infusion in infusions where mid < infusion.end { glucoseRate += infusion.rate }
            infusions.removeAll { $0.end <= elapsed + h }
        }
        let exercising = mid < exerciseEnd
        let intensity = exercising ? exerciseIntensity : 0
        let inputs = HovorkaInputs(
            insulinRate: basalRate * 1000 / 60,
            glucoseRate: glucoseRate,
            egpFactor: dawnFactor(timeOfDay: tod),
            insulinActionFactor: 1 + configuration.exerciseInsulinGain * intensity,
            uptakeFactor: 1 + configuration.exerciseUptakeGain * intensity
        )
        state = constants.rk4(state, inputs, h: h / 60)
        elapsed += h
    }

    public mutating func apply(_ event: ModelEvent) throws(ModelError) {
        let p = event.parameters
        func number(_ key: String, default fallback: Double? = nil, _ ok: (Double) -> Bool, _ what: String)
            throws(ModelError) -> Double
        {
            guard let value = p[key] ?? fallback else {
                throw ModelError(.badParameter, "'\(event.name)' needs '\(key)' (\(what))", key: key)
            }
            guard value.isFinite, ok(value) else {
                throw ModelError(.badParameter, "'\(event.name)': '\(key)' must be \(what), got \(value)", key: key)
            }
            return value
        }
        switch event.name {
        case "meal":
            let grams = try number("grams", { $0 >= 0 && $0 <= 1000 }, "grams between 0 and 1000")
            var units = 0.0
            if p["bolus"] != nil { units = try number("bolus", { $0 >= 0 && $0 <= 100 }, "units between 0 and 100") }
            state.d1 += constants.ag * grams * 1000 / Self.glucoseMolarMass
            addBolus(units)
        case "bolus":
            addBolus(try number("units", { $0 >= 0 && $0 <= 100 }, "units between 0 and 100"))
        case "basal":
            basalRate = try number("rate", { $0 >= 0 && $0 <= 50 }, "U/h between 0 and 50")
        case "exercise":
            let duration = try number("duration", default: 1800, { $0 > 0 && $0 <= 86400 }, "seconds in (0, 86400]")
            let intensity = try number("intensity", default: 0.5, { $0 >= 0 && $0 <= 1 }, "between 0 and 1")
            exerciseEnd = elapsed + duration
            exerciseIntensity = intensity
        case "spike":
            let amount = try number("amount", default: 120, { $0 > 0 && $0 <= 600 }, "mg/dL in (0, 600]")
            let duration = try number("duration", default: 1800, { $0 >= 60 && $0 <= 86400 }, "seconds in [60, 86400]")
            // Glucose mass for the rise, boosted for what insulin moves out of Q1 meanwhile.
            let mass = amount / Self.mgdlPerMmol * constants.vG * Self.spikeCompensation
            infusions.append((rate: mass / (duration / 60), end: elapsed + duration))
        default:
            throw ModelError(.unknownEvent, "glucose model has no event '\(event.name)'")
        }
    }

    /// Extra mass factor so that a spike's plasma rise is close to its amount.
    static let spikeCompensation = 1.5

    private mutating func addBolus(_ units: Double) {
        state.s1 += units * 1000
        state.b1 += units * 1000
    }
}
