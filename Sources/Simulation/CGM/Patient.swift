/// Virtual patient presets for ``GlucoseModel``.
///
/// The adult uses the Hovorka 2004 population values. The adolescent is
/// insulin resistant (puberty: sensitivities × 0.7); the child is lighter and
/// slightly more sensitive (× 1.2). Because insulin and glucose distribution
/// volumes scale with body weight, one unit of insulin lowers a child's
/// glucose far more than an adult's. Basal rates are derived so that each
/// preset sits at ``targetGlucose`` with no meals.
public enum Patient: String, Sendable, CaseIterable, Codable {
    case adult
    case adolescent
    case child

    /// Model parameters of the preset.
    public var parameters: HovorkaParameters {
        var p = HovorkaParameters()
        switch self {
        case .adult:
            break
        case .adolescent:
            p.bodyWeight = 55
            p.sensitivityTransport *= 0.7
            p.sensitivityDisposal *= 0.7
            p.sensitivityEGP *= 0.7
        case .child:
            p.bodyWeight = 30
            p.sensitivityTransport *= 1.2
            p.sensitivityDisposal *= 1.2
            p.sensitivityEGP *= 1.2
        }
        return p
    }

    /// Fasting glucose the preset's basal rate is tuned for (mg/dL).
    public var targetGlucose: Double { 120 }

    /// Insulin-to-carbohydrate ratio (grams covered by one unit).
    public var carbRatio: Double {
        switch self {
        case .adult: 10
        case .adolescent: 7
        case .child: 18
        }
    }

    /// Correction factor (mg/dL lowered by one unit), used by ``BasalBolusController``.
    public var correctionFactor: Double {
        switch self {
        case .adult: 40
        case .adolescent: 30
        case .child: 110
        }
    }

    /// Basal rate (U/h) that holds ``targetGlucose`` with no meals and no dawn phenomenon.
    public var basalRate: Double {
        GlucoseModel.steadyStateBasalRate(parameters: parameters, glucose: targetGlucose)
    }
}
