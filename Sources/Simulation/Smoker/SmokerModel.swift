/// Physical model of a charcoal smoker run by a HeaterMeter-style controller,
/// with up to four meats. Temperatures °F, durations s, masses kg.
///
/// **Pit.** Two lumped nodes: the pit air (what the pit probe reads; small heat
/// capacity) and the pit body (walls, grate, ceramic; large heat capacity). The fire
/// heats the air; the air exchanges heat with the body and the meats and leaks
/// through the vents; the body loses heat to ambient, more with wind. An open lid
/// adds a large air-to-ambient loss, so the pit reading drops sharply, then rebounds
/// from the hot body once the lid closes.
///
/// **Fire.** The burn rate follows `idle + (1 − idle) · fan` with a first-order lag
/// (the fan/damper drives combustion), scaled down as the last 0.5 kg of fuel burns
/// out; fuel is consumed in proportion to the heat released. Slow random flicker of
/// the burn rate is drawn from the `random` passed to ``step(dt:random:)``.
///
/// **Meat.** Surface and core nodes with Newtonian transfer pit → surface → core,
/// plus a surface-moisture reservoir that evaporates at a rate ∝
/// (p_sat(T_surface) − p_air) (Magnus formula; p_air from the pit dew point). The
/// latent heat holds the surface near the wet-bulb temperature — the stall — until
/// the reservoir runs low. Wrapping stops evaporation, slightly raises the heat
/// transfer and lets the trapped moisture purge into the wrap, ending the stall.
///
/// Outputs: `pit`, `setpoint`, `output`, `output_avg`, `fan`, `servo`,
/// `lid_countdown`, `fuel`, `ambient`, then `meat{i}.core`, `meat{i}.surface`,
/// `meat{i}.moisture` for each meat. Events: see ``apply(_:)``.
public struct SmokerModel: PhysicalModel {
    /// The configuration the model was created with.
    public let configuration: Configuration
    /// The outputs, in the documented order.
    public let outputs: [ModelOutput]

    // Pit constants (kamado-sized smoker).
    static let airHeatCapacity = 700.0  // J/°F
    static let bodyHeatCapacity = 9000.0  // J/°F
    static let airToBody = 40.0  // W/°F
    static let bodyLoss = 7.0  // W/°F at no wind
    static let ventLoss = 1.5  // W/°F
    static let lidOpenLoss = 70.0  // W/°F extra while the lid is open
    static let windLossPerMph = 0.04  // relative increase of body loss per mph
    static let fuelLowMass = 0.5  // kg: the fire weakens as the last of the fuel burns
    static let flickerTime = 120.0  // s, correlation time of fire flicker
    static let maximumSubstep = 1.0  // s

    // Meat constants.
    static let surfaceHeatTransfer = 9.35 / 1.8  // W/(m²·°F), convection + radiation
    static let meatConductivity = 0.45 / 1.8  // W/(m·°F)
    static let massTransfer = 1.1e-5  // kg/(s·m²·kPa)
    static let wrapHeatTransferFactor = 1.05
    static let wrapPurgeTime = 2400.0  // s, moisture drains into the wrap
    static let dryingFraction = 0.3  // evaporation falls off below this reservoir fraction

    // State.
    var airTemperature: Double
    var bodyTemperature: Double
    var burn = 0.0  // 0…1 of fireMaxPower
    var flicker = 0.0
    var fuel: Double
    var fuelCapacity: Double
    var ambient: Double
    var windSpeed: Double
    var lidOpenRemaining = 0.0
    var untilTick = 0.0
    var pitVaporPressure: Double
    var controller: HeaterMeterController
    var meats: [MeatState]

    /// Creates a model after validating `configuration`.
    /// Throws ``ModelError`` `.badConfiguration` naming the offending key.
    public init(configuration: Configuration = Configuration()) throws(ModelError) {
        try configuration.validate()
        self.configuration = configuration
        let pit = configuration.initialPitTemperature ?? configuration.ambient
        airTemperature = pit
        bodyTemperature = pit
        fuel = configuration.fuelLoad
        fuelCapacity = max(configuration.fuelLoad, 1e-9)
        ambient = configuration.ambient
        windSpeed = configuration.windSpeed
        pitVaporPressure = Psychrometrics.saturationPressure(fahrenheit: configuration.pitDewPoint)
        controller = HeaterMeterController(configuration: configuration, pit: pit)
        meats = configuration.meats.map(MeatState.init)
        var outputs: [ModelOutput] = [
            ModelOutput("pit", unit: .fahrenheit, summary: "pit (air) temperature"),
            ModelOutput("setpoint", unit: .fahrenheit, summary: "controller setpoint"),
            ModelOutput("output", unit: .percent, summary: "PID output 0–100 %"),
            ModelOutput("output_avg", unit: .percent, summary: "moving average of the PID output"),
            ModelOutput("fan", unit: .percent, summary: "blower speed"),
            ModelOutput("servo", unit: .percent, summary: "damper servo opening"),
            ModelOutput("lid_countdown", unit: .seconds, summary: "seconds left in the lid-open fan hold"),
            ModelOutput("fuel", unit: .none, summary: "fraction of the fuel load remaining, 0–1"),
            ModelOutput("ambient", unit: .fahrenheit, summary: "ambient air temperature"),
        ]
        for index in configuration.meats.indices {
            let name = "meat\(index + 1)"
            let cut = configuration.meats[index].cut.rawValue
            outputs.append(ModelOutput("\(name).core", unit: .fahrenheit, summary: "\(cut) core temperature"))
            outputs.append(ModelOutput("\(name).surface", unit: .fahrenheit, summary: "\(cut) surface temperature"))
            outputs.append(
                ModelOutput("\(name).moisture", unit: .none, summary: "\(cut) surface moisture remaining, 0–1"))
        }
        self.outputs = outputs
    }

    /// Current value of output `index` (see ``outputs``).
    public func value(at index: Int) -> Double {
        switch index {
        case 0: return airTemperature
        case 1: return controller.setpoint
        case 2: return controller.output
        case 3: return controller.outputAverage
        case 4: return controller.output
        case 5: return controller.output
        case 6: return controller.lidCountdown
        case 7: return min(1, max(0, fuel / fuelCapacity))
        case 8: return ambient
        default:
            let meatIndex = (index - 9) / 3
            guard index >= 9, meatIndex < meats.count else { return .nan }
            let meat = meats[meatIndex]
            switch (index - 9) % 3 {
            case 0: return meat.core
            case 1: return meat.surface
            default: return meat.moistureFraction
            }
        }
    }

    /// Advances by `dt` seconds (any positive dt; integrated in substeps of at most
    /// 1 s, with the controller ticking exactly every control period).
    public mutating func step(dt: Double, random: inout SeededRandom) {
        guard dt.isFinite, dt > 0 else { return }
        var remaining = dt
        let period = configuration.controlPeriod
        while remaining > 1e-12 {
            if untilTick <= 1e-12 {
                controlTick(random: &random)
                untilTick += period
            }
            let h = min(remaining, untilTick, Self.maximumSubstep)
            integrate(h)
            untilTick -= h
            remaining -= h
        }
    }

    private mutating func controlTick(random: inout SeededRandom) {
        controller.tick(pit: airTemperature, period: configuration.controlPeriod)
        let sigma = configuration.fireFlicker
        if sigma > 0 {
            let tau = Self.flickerTime
            let period = configuration.controlPeriod
            flicker += -flicker * period / tau + sigma * (2 * period / tau).squareRoot() * random.gaussian()
        }
    }

    private mutating func integrate(_ h: Double) {
        let c = configuration
        // Fire.
        let fan = controller.output / 100
        let fuelFactor = min(1, fuel / Self.fuelLowMass)
        let target = fuelFactor * (c.fireIdleFraction + (1 - c.fireIdleFraction) * fan)
        burn += (target - burn) * min(1, h / c.fireResponseTime)
        let heat = c.fireMaxPower * burn * max(0, 1 + flicker)
        fuel = max(0, fuel - heat * h / c.fuelEnergyDensity)

        // Meats.
        let air = airTemperature
        var toMeat = 0.0
        for i in meats.indices {
            toMeat += meats[i].integrate(h, pit: air, pitVaporPressure: pitVaporPressure)
        }

        // Pit.
        let lidLoss = lidOpenRemaining > 0 ? Self.lidOpenLoss : 0
        lidOpenRemaining = max(0, lidOpenRemaining - h)
        let airToBody = Self.airToBody * (air - bodyTemperature)
        let airLoss = (Self.ventLoss + lidLoss) * (air - ambient)
        let bodyLoss = Self.bodyLoss * (1 + Self.windLossPerMph * windSpeed) * (bodyTemperature - ambient)
        airTemperature += (heat - airToBody - airLoss - toMeat) * h / Self.airHeatCapacity
        bodyTemperature += (airToBody - bodyLoss) * h / Self.bodyHeatCapacity
    }
}
