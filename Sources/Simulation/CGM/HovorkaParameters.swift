/// Parameters of the Hovorka 2004 ("Cambridge") glucose–insulin model.
///
/// Rates are per minute, volumes per kilogram of body weight, fluxes in
/// mmol/kg/min, as in the paper. Defaults are the published population values.
public struct HovorkaParameters: Sendable, Equatable, Codable {
    /// Body weight (kg).
    public var bodyWeight: Double = 70
    /// Time to maximum of carbohydrate absorption (min).
    public var tmaxG: Double = 40
    /// Time to maximum of subcutaneous insulin absorption (min).
    public var tmaxI: Double = 55
    /// Transfer rate from the non-accessible to the accessible glucose compartment (1/min).
    public var k12: Double = 0.066
    /// Deactivation rates of the three insulin actions (1/min).
    public var ka1: Double = 0.006
    public var ka2: Double = 0.06
    public var ka3: Double = 0.03
    /// Insulin sensitivity of glucose transport/distribution ((1/min) per mU/L).
    public var sensitivityTransport: Double = 51.2e-4
    /// Insulin sensitivity of glucose disposal ((1/min) per mU/L).
    public var sensitivityDisposal: Double = 8.2e-4
    /// Insulin sensitivity of endogenous glucose production (per mU/L).
    public var sensitivityEGP: Double = 520e-4
    /// Insulin elimination rate from plasma (1/min).
    public var ke: Double = 0.138
    /// Insulin distribution volume (L/kg).
    public var insulinVolume: Double = 0.12
    /// Glucose distribution volume (L/kg).
    public var glucoseVolume: Double = 0.16
    /// Total non-insulin-dependent glucose flux (mmol/kg/min).
    public var f01: Double = 0.0097
    /// Endogenous glucose production extrapolated to zero insulin (mmol/kg/min).
    public var egp0: Double = 0.0161
    /// Carbohydrate bioavailability (0–1).
    public var carbBioavailability: Double = 0.8

    /// Creates parameters; every argument defaults to the published population value.
    public init() {}

    /// Checks that every parameter is finite and in a meaningful range.
    public func validate() throws(ModelError) {
        let positive: [(String, Double)] = [
            ("bodyWeight", bodyWeight), ("tmaxG", tmaxG), ("tmaxI", tmaxI), ("k12", k12),
            ("ka1", ka1), ("ka2", ka2), ("ka3", ka3), ("ke", ke),
            ("insulinVolume", insulinVolume), ("glucoseVolume", glucoseVolume),
            ("f01", f01), ("egp0", egp0), ("carbBioavailability", carbBioavailability),
        ]
        for (key, value) in positive where !(value.isFinite && value > 0) {
            throw ModelError(.badConfiguration, "'\(key)' must be a positive number, got \(value)", key: key)
        }
        let nonNegative: [(String, Double)] = [
            ("sensitivityTransport", sensitivityTransport), ("sensitivityDisposal", sensitivityDisposal),
            ("sensitivityEGP", sensitivityEGP),
        ]
        for (key, value) in nonNegative where !(value.isFinite && value >= 0) {
            throw ModelError(.badConfiguration, "'\(key)' must be a non-negative number, got \(value)", key: key)
        }
        if carbBioavailability > 1 {
            throw ModelError(.badConfiguration, "'carbBioavailability' must be at most 1", key: "carbBioavailability")
        }
        if egp0 <= f01 {
            throw ModelError(.badConfiguration, "'egp0' must exceed 'f01' for a steady state to exist", key: "egp0")
        }
    }
}
