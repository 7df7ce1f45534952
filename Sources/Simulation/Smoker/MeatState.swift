import Foundation

/// Thermal state of one meat: surface and core nodes and the surface-moisture reservoir.
struct MeatState: Sendable, Equatable {
    var core: Double
    var surface: Double
    /// Surface moisture left, kg.
    var moisture: Double
    let initialMoisture: Double
    var wrapped: Bool
    /// Pit → surface conductance, W/°F (unwrapped).
    let surfaceConductance: Double
    /// Surface → core conductance, W/°F.
    let coreConductance: Double
    let surfaceCapacity: Double  // J/°F
    let coreCapacity: Double  // J/°F
    /// Mass-transfer coefficient × area, kg/(s·kPa).
    let evaporationCoefficient: Double

    init(_ meat: SmokerModel.MeatConfiguration) {
        let preset = meat.cut.preset
        let scale = meat.weight / preset.referenceWeight
        let area = preset.area * pow(scale, 2.0 / 3.0)
        let halfThickness = preset.halfThickness * pow(scale, 1.0 / 3.0)
        core = meat.initialTemperature
        surface = meat.initialTemperature
        initialMoisture = preset.moistureFraction * meat.weight
        moisture = initialMoisture
        wrapped = meat.wrapped
        surfaceConductance = SmokerModel.surfaceHeatTransfer * area
        // The surface node's centre sits part-way in; 0.6 of the half-thickness is the mean path.
        coreConductance = SmokerModel.meatConductivity * area / (0.6 * halfThickness)
        surfaceCapacity = preset.surfaceFraction * meat.weight * preset.specificHeat
        coreCapacity = (1 - preset.surfaceFraction) * meat.weight * preset.specificHeat
        evaporationCoefficient = SmokerModel.massTransfer * area
    }

    var moistureFraction: Double {
        initialMoisture > 0 ? moisture / initialMoisture : 0
    }

    /// Advances by `h` seconds in a pit at `pit` °F; returns the heat taken from the pit air, W.
    mutating func integrate(_ h: Double, pit: Double, pitVaporPressure: Double) -> Double {
        let conductance = wrapped ? surfaceConductance * SmokerModel.wrapHeatTransferFactor : surfaceConductance
        let fromPit = conductance * (pit - surface)
        let toCore = coreConductance * (surface - core)
        var evaporation = 0.0  // kg/s
        if moisture > 0 {
            if wrapped {
                moisture = max(0, moisture - moisture * min(1, h / SmokerModel.wrapPurgeTime))
            } else {
                let wetness = min(1, moisture / (SmokerModel.dryingFraction * initialMoisture))
                let drive = Psychrometrics.saturationPressure(fahrenheit: surface) - pitVaporPressure
                evaporation = evaporationCoefficient * max(0, drive) * wetness
                moisture = max(0, moisture - evaporation * h)
            }
        }
        surface += (fromPit - toCore - evaporation * Psychrometrics.latentHeat) * h / surfaceCapacity
        core += toCore * h / coreCapacity
        return fromPit
    }
}
