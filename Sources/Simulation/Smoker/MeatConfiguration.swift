extension SmokerModel {
    /// One piece of meat in the smoker.
    ///
    /// The cut selects a preset (geometry, heat capacity split, surface moisture)
    /// that is scaled to `weight`: area grows with weight^(2/3) and thickness
    /// with weight^(1/3), so a small brisket cooks faster per kilogram than a big one.
    public struct MeatConfiguration: Sendable, Equatable {
        /// The cut of meat.
        public enum Cut: String, CaseIterable, Sendable {
            /// Whole packer brisket (flat + point).
            case brisket
            /// Bone-in pork shoulder (Boston butt).
            case porkShoulder = "pork_shoulder"
            /// A rack of spare ribs.
            case ribs
            /// A whole chicken (spatchcock not assumed).
            case wholeChicken = "whole_chicken"
        }

        /// The cut; selects the preset in ``CutPreset``.
        public var cut: Cut
        /// Weight in kg (0.1…20).
        public var weight: Double
        /// Initial temperature in °F (default 38 °F, fridge-cold).
        public var initialTemperature: Double
        /// Whether the meat starts wrapped (foil/paper, "Texas crutch").
        public var wrapped: Bool

        /// Creates a meat configuration; `weight` defaults to the cut's reference weight.
        public init(cut: Cut, weight: Double? = nil, initialTemperature: Double = 38, wrapped: Bool = false) {
            self.cut = cut
            self.weight = weight ?? cut.preset.referenceWeight
            self.initialTemperature = initialTemperature
            self.wrapped = wrapped
        }
    }

    /// Physical preset of a cut at its reference weight.
    public struct CutPreset: Sendable, Equatable {
        /// Weight (kg) at which `area` and `halfThickness` apply.
        public var referenceWeight: Double
        /// Exposed surface area (m²) at the reference weight.
        public var area: Double
        /// Half-thickness (m), the conduction path to the core, at the reference weight.
        public var halfThickness: Double
        /// Fraction of the mass lumped into the surface node (the rest is the core).
        public var surfaceFraction: Double
        /// Surface moisture available to evaporate, kg of water per kg of meat.
        public var moistureFraction: Double
        /// Specific heat, J/(kg·°F) (≈ 3.5 kJ/(kg·K) for lean meat).
        public var specificHeat: Double
    }
}

extension SmokerModel.MeatConfiguration.Cut {
    /// The preset used for this cut (calibrated so that a 6 kg brisket at 225 °F
    /// stalls for about 4 h and is done in about 13 h).
    public var preset: SmokerModel.CutPreset {
        switch self {
        case .brisket:
            .init(
                referenceWeight: 6, area: 0.27, halfThickness: 0.035,
                surfaceFraction: 0.25, moistureFraction: 0.17, specificHeat: 3500 / 1.8)
        case .porkShoulder:
            .init(
                referenceWeight: 4, area: 0.16, halfThickness: 0.055,
                surfaceFraction: 0.25, moistureFraction: 0.18, specificHeat: 3500 / 1.8)
        case .ribs:
            .init(
                referenceWeight: 1.5, area: 0.075, halfThickness: 0.015,
                surfaceFraction: 0.3, moistureFraction: 0.12, specificHeat: 3500 / 1.8)
        case .wholeChicken:
            .init(
                referenceWeight: 2, area: 0.11, halfThickness: 0.045,
                surfaceFraction: 0.25, moistureFraction: 0.03, specificHeat: 3300 / 1.8)
        }
    }
}
