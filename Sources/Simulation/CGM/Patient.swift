/// Virtual patient presets for ``GlucoseModel``.
///
/// The adult uses the Hovorka 2004 population values. The adolescent is
/// insulin resistant (puberty: sensitivities × 0.7); the child is lighter and
/// slightly more sensitive (× 1.2). Because insulin and glucose distribution
/// volumes scale with body weight, one unit of insulin lowers a child's
/// glucose far more than an adult's. Basal rates are derived so that each
/// preset sits at ``targetGlucose`` with no meals.
///
/// The adult keeps the published population sensitivities, which make insulin
/// potent: the steady-state basal is about 0.38 U/h and a 60 g meal is covered
/// by about 2.1 U (carb ratio 28 g/U), i.e. a low total daily dose (≈ 0.25 U/kg).
/// Carb ratios and correction factors are tuned so that a meal bolus brings
/// glucose back near the target without a low.
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

    /// Insulin-to-carbohydrate ratio (grams covered by one unit), tuned on the model.
    public var carbRatio: Double {
        switch self {
        case .adult: 28
        case .adolescent: 23
        case .child: 42
        }
    }

    /// Correction factor (mg/dL lowered by one unit over about 4 h), used by ``BasalBolusController``.
    public var correctionFactor: Double {
        switch self {
        case .adult: 70
        case .adolescent: 65
        case .child: 130
        }
    }

    /// Basal rate (U/h) that holds ``targetGlucose`` with no meals and no dawn phenomenon.
    public var basalRate: Double {
        GlucoseModel.steadyStateBasalRate(parameters: parameters, glucose: targetGlucose)
    }
}
