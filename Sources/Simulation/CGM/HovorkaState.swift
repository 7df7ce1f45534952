import Foundation

/// State vector of the Hovorka model (internal units: mU, mU/L, 1/min, mmol, mmol/L).
struct HovorkaState: Sendable, Equatable {
    /// Subcutaneous insulin compartments (mU).
    var s1 = 0.0, s2 = 0.0
    /// Plasma insulin (mU/L).
    var insulin = 0.0
    /// Insulin actions: transport (1/min), disposal (1/min), EGP (dimensionless).
    var x1 = 0.0, x2 = 0.0, x3 = 0.0
    /// Glucose masses in the accessible and non-accessible compartments (mmol).
    var q1 = 0.0, q2 = 0.0
    /// Gut compartments (mmol of absorbable glucose).
    var d1 = 0.0, d2 = 0.0
    /// Interstitial glucose (mmol/L).
    var interstitial = 0.0
    /// Bolus-only copy of the subcutaneous depot (mU), for insulin on board.
    var b1 = 0.0, b2 = 0.0

    /// `self + k * h`, field by field.
    @inline(__always)
    func adding(_ k: HovorkaState, times h: Double) -> HovorkaState {
        var r = self
        r.s1 += k.s1 * h
        r.s2 += k.s2 * h
        r.insulin += k.insulin * h
        r.x1 += k.x1 * h
        r.x2 += k.x2 * h
        r.x3 += k.x3 * h
        r.q1 += k.q1 * h
        r.q2 += k.q2 * h
        r.d1 += k.d1 * h
        r.d2 += k.d2 * h
        r.interstitial += k.interstitial * h
        r.b1 += k.b1 * h
        r.b2 += k.b2 * h
        return r
    }
}

/// Inputs held constant over one integration substep.
struct HovorkaInputs: Sendable {
    /// Basal insulin infusion (mU/min).
    var insulinRate: Double
    /// Extra glucose infused into Q1 (mmol/min), used by the synthetic spike.
    var glucoseRate: Double
    /// Multiplier of EGP0 (dawn phenomenon), ≥ 0.
    var egpFactor: Double
    /// Multiplier of insulin-dependent uptake and transport (exercise), ≥ 1.
    var insulinActionFactor: Double
    /// Multiplier of insulin-independent uptake F01 (exercise), ≥ 1.
    var uptakeFactor: Double
}

/// Derived constants of the model, in absolute units for one patient.
struct HovorkaConstants: Sendable {
    let tmaxG, tmaxI, k12, ka1, ka2, ka3, kb1, kb2, kb3, ke: Double
    let vI, vG, f01, egp0, ag: Double
    /// Interstitial time constant (min).
    let tauInterstitial: Double

    init(_ p: HovorkaParameters, interstitialTimeConstant: Double) {
        tmaxG = p.tmaxG
        tmaxI = p.tmaxI
        k12 = p.k12
        ka1 = p.ka1
        ka2 = p.ka2
        ka3 = p.ka3
        kb1 = p.sensitivityTransport * p.ka1
        kb2 = p.sensitivityDisposal * p.ka2
        kb3 = p.sensitivityEGP * p.ka3
        ke = p.ke
        vI = p.insulinVolume * p.bodyWeight
        vG = p.glucoseVolume * p.bodyWeight
        f01 = p.f01 * p.bodyWeight
        egp0 = p.egp0 * p.bodyWeight
        ag = p.carbBioavailability
        tauInterstitial = interstitialTimeConstant / 60
    }

    /// Insulin-independent uptake (mmol/min) at plasma glucose `g` (mmol/L).
    @inline(__always)
    func f01c(_ g: Double) -> Double {
        g >= 4.5 ? f01 : f01 * max(g, 0) / 4.5
    }

    /// Renal excretion (mmol/min) at plasma glucose `g` (mmol/L).
    @inline(__always)
    func renal(_ g: Double) -> Double {
        g >= 9 ? 0.003 * (g - 9) * vG : 0
    }

    /// Time derivative (per minute) of `s` under inputs `u`.
    @inline(__always)
    func derivative(_ s: HovorkaState, _ u: HovorkaInputs) -> HovorkaState {
        var d = HovorkaState()
        let g = s.q1 / vG
        let x1 = s.x1 * u.insulinActionFactor
        let x2 = s.x2 * u.insulinActionFactor
        let egp = max(0, egp0 * u.egpFactor * (1 - s.x3))
        let absorption = s.d2 / tmaxG
        d.s1 = u.insulinRate - s.s1 / tmaxI
        d.s2 = (s.s1 - s.s2) / tmaxI
        d.insulin = s.s2 / (tmaxI * vI) - ke * s.insulin
        d.x1 = -ka1 * s.x1 + kb1 * s.insulin
        d.x2 = -ka2 * s.x2 + kb2 * s.insulin
        d.x3 = -ka3 * s.x3 + kb3 * s.insulin
        d.q1 = -f01c(g) * u.uptakeFactor - x1 * s.q1 + k12 * s.q2 - renal(g) + absorption + egp + u.glucoseRate
        d.q2 = x1 * s.q1 - (k12 + x2) * s.q2
        d.d1 = -s.d1 / tmaxG
        d.d2 = (s.d1 - s.d2) / tmaxG
        d.interstitial = (g - s.interstitial) / tauInterstitial
        d.b1 = -s.b1 / tmaxI
        d.b2 = (s.b1 - s.b2) / tmaxI
        return d
    }

    /// One classical Runge–Kutta step of `h` minutes.
    @inline(__always)
    func rk4(_ s: HovorkaState, _ u: HovorkaInputs, h: Double) -> HovorkaState {
        let k1 = derivative(s, u)
        let k2 = derivative(s.adding(k1, times: h / 2), u)
        let k3 = derivative(s.adding(k2, times: h / 2), u)
        let k4 = derivative(s.adding(k3, times: h), u)
        var r = s.adding(k1, times: h / 6)
        r = r.adding(k2, times: h / 3)
        r = r.adding(k3, times: h / 3)
        r = r.adding(k4, times: h / 6)
        r.q1 = max(r.q1, 0)
        r.q2 = max(r.q2, 0)
        return r
    }

    /// Steady state reached under a constant basal infusion (mU/min) with no meals.
    func steadyState(insulinRate: Double, egpFactor: Double = 1) -> HovorkaState {
        var s = HovorkaState()
        s.s1 = insulinRate * tmaxI
        s.s2 = s.s1
        s.insulin = s.s2 / (tmaxI * vI * ke)
        s.x1 = kb1 / ka1 * s.insulin
        s.x2 = kb2 / ka2 * s.insulin
        s.x3 = kb3 / ka3 * s.insulin
        // Net flux into Q1 at glucose g decreases with g: bisect for its zero.
        let clearance = s.x1 * s.x2 / (k12 + s.x2)
        let egp = max(0, egp0 * egpFactor * (1 - s.x3))
        func net(_ g: Double) -> Double { egp - f01c(g) - renal(g) - clearance * g * vG }
        var lo = 0.0
        var hi = 200.0
        if net(hi) > 0 { lo = hi }
        for _ in 0..<200 where hi - lo > 1e-12 {
            let mid = (lo + hi) / 2
            if net(mid) > 0 { lo = mid } else { hi = mid }
        }
        let g = (lo + hi) / 2
        s.q1 = g * vG
        s.q2 = s.x1 * s.q1 / (k12 + s.x2)
        s.interstitial = g
        return s
    }
}
