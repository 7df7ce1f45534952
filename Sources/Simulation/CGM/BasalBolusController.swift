/// A basal–bolus therapy as a patient would practise it (and as simglucose's
/// `BBController` does): a fixed basal rate, and at each meal a bolus of
/// `grams / carbRatio` plus a correction `(glucose − target) / correctionFactor`
/// when glucose is above `correctionThreshold`.
public struct BasalBolusController: Sendable, Equatable {
    /// Grams of carbohydrate covered by one unit.
    public var carbRatio: Double
    /// mg/dL lowered by one unit.
    public var correctionFactor: Double
    /// Correction target (mg/dL).
    public var target: Double
    /// Corrections only above this glucose (mg/dL).
    public var correctionThreshold: Double

    /// Creates a controller.
    public init(carbRatio: Double, correctionFactor: Double, target: Double = 140, correctionThreshold: Double = 150) {
        self.carbRatio = carbRatio
        self.correctionFactor = correctionFactor
        self.target = target
        self.correctionThreshold = correctionThreshold
    }

    /// The controller a patient preset would use.
    public init(patient: Patient) {
        self.init(carbRatio: patient.carbRatio, correctionFactor: patient.correctionFactor)
    }

    /// Meal bolus (U) for `grams` of carbohydrate eaten at `glucose` (mg/dL).
    public func bolus(grams: Double, glucose: Double) -> Double {
        var units = grams / carbRatio
        if glucose > correctionThreshold { units += (glucose - target) / correctionFactor }
        return max(units, 0)
    }
}
