extension SmokerModel {
    /// Everything needed to start a cook. Temperatures °F, durations s, masses kg.
    ///
    /// Defaults: a kamado-sized charcoal smoker with a HeaterMeter controller at
    /// 225 °F on a calm 70 °F day, enough fuel for about 18 hours, and no meat.
    public struct Configuration: Sendable, Equatable {
        /// Pit setpoint, °F (default 225; valid 100…700).
        public var setpoint: Double
        /// Ambient air temperature, °F (default 70; valid −40…130).
        public var ambient: Double
        /// Wind speed, mph (default 0; valid 0…30). Raises the pit's heat loss by 4 %/mph.
        public var windSpeed: Double
        /// Pit (air and body) temperature at start, °F; `nil` = ambient (a cold start).
        public var initialPitTemperature: Double?
        /// Charcoal loaded at start, kg (default 6.8: ~18 h at 225 °F with a brisket).
        public var fuelLoad: Double
        /// Heat delivered into the pit per kg of fuel burnt, J/kg (default 12 MJ/kg,
        /// charcoal's ~29 MJ/kg less flue and ash losses).
        public var fuelEnergyDensity: Double
        /// Heat release of the fire at 100 % output, W (default 4000).
        public var fireMaxPower: Double
        /// Fraction of full burn with the fan off (natural draft), 0…1 (default 0.08).
        public var fireIdleFraction: Double
        /// Time constant of the fire's response to the fan/damper, s (default 60).
        public var fireResponseTime: Double
        /// Relative standard deviation of fire flicker (slow random fluctuation of the
        /// burn rate, drawn from the step's `random`), 0…0.5 (default 0.03; 0 = none).
        public var fireFlicker: Double
        /// Dew point of the pit air, °F (default 130: combustion gases plus meat vapour).
        /// Sets the vapour pressure the meat surface evaporates against, hence the
        /// wet-bulb (stall) temperature.
        public var pitDewPoint: Double
        /// PID proportional gain, % per °F (HeaterMeter default 4).
        public var proportionalGain: Double
        /// PID integral gain, % per °F·s (HeaterMeter default 0.02).
        public var integralGain: Double
        /// PID derivative gain on measurement (HeaterMeter default 5).
        public var derivativeGain: Double
        /// Control period, s (HeaterMeter: 1).
        public var controlPeriod: Double
        /// Probe exponential-moving-average factor α (HeaterMeter: 2/61).
        public var probeSmoothing: Double
        /// Lid detection threshold: percent below setpoint (default 6; 0 disables).
        public var lidDetectDropPercent: Double
        /// Lid detection only while the average output is below this, % (default 90).
        public var lidDetectOutputLimit: Double
        /// Fan hold after a detected lid opening, s (default 240; 0 disables detection).
        public var lidHoldTime: Double
        /// Minimum fan hold before the pit being back at setpoint ends it, s (default 30).
        public var lidMinimumHoldTime: Double
        /// The meats (0…4), probes `meat1`…`meat4`.
        public var meats: [MeatConfiguration]

        /// Creates a configuration; every argument has the default documented on its property.
        public init(
            setpoint: Double = 225,
            ambient: Double = 70,
            windSpeed: Double = 0,
            initialPitTemperature: Double? = nil,
            fuelLoad: Double = 6.8,
            fuelEnergyDensity: Double = 12e6,
            fireMaxPower: Double = 4000,
            fireIdleFraction: Double = 0.08,
            fireResponseTime: Double = 60,
            fireFlicker: Double = 0.03,
            pitDewPoint: Double = 130,
            proportionalGain: Double = 4,
            integralGain: Double = 0.02,
            derivativeGain: Double = 5,
            controlPeriod: Double = 1,
            probeSmoothing: Double = 2.0 / 61.0,
            lidDetectDropPercent: Double = 6,
            lidDetectOutputLimit: Double = 90,
            lidHoldTime: Double = 240,
            lidMinimumHoldTime: Double = 30,
            meats: [MeatConfiguration] = []
        ) {
            self.setpoint = setpoint
            self.ambient = ambient
            self.windSpeed = windSpeed
            self.initialPitTemperature = initialPitTemperature
            self.fuelLoad = fuelLoad
            self.fuelEnergyDensity = fuelEnergyDensity
            self.fireMaxPower = fireMaxPower
            self.fireIdleFraction = fireIdleFraction
            self.fireResponseTime = fireResponseTime
            self.fireFlicker = fireFlicker
            self.pitDewPoint = pitDewPoint
            self.proportionalGain = proportionalGain
            self.integralGain = integralGain
            self.derivativeGain = derivativeGain
            self.controlPeriod = controlPeriod
            self.probeSmoothing = probeSmoothing
            self.lidDetectDropPercent = lidDetectDropPercent
            self.lidDetectOutputLimit = lidDetectOutputLimit
            self.lidHoldTime = lidHoldTime
            self.lidMinimumHoldTime = lidMinimumHoldTime
            self.meats = meats
        }

        /// Maximum number of meat probes.
        public static let maximumMeats = 4

        /// Checks every field's range.
        /// Throws ``ModelError`` `.badConfiguration` whose `key` names the field
        /// (`setpoint`, `wind`, `fuel`, `meats`, `meat2.weight`, …).
        public func validate() throws(ModelError) {
            try Self.check(setpoint, in: 100...700, key: "setpoint")
            try Self.check(ambient, in: -40...130, key: "ambient")
            try Self.check(windSpeed, in: 0...30, key: "wind")
            if let initialPitTemperature {
                try Self.check(initialPitTemperature, in: -40...700, key: "initial_pit")
            }
            try Self.check(fuelLoad, in: 0...100, key: "fuel")
            try Self.check(fuelEnergyDensity, in: 1e5...1e8, key: "fuel_energy_density")
            try Self.check(fireMaxPower, in: 100...100_000, key: "fire_max_power")
            try Self.check(fireIdleFraction, in: 0...1, key: "fire_idle_fraction")
            try Self.check(fireResponseTime, in: 1...3600, key: "fire_response_time")
            try Self.check(fireFlicker, in: 0...0.5, key: "fire_flicker")
            try Self.check(pitDewPoint, in: 0...200, key: "pit_dew_point")
            try Self.check(proportionalGain, in: 0...1000, key: "kp")
            try Self.check(integralGain, in: 0...100, key: "ki")
            try Self.check(derivativeGain, in: 0...1000, key: "kd")
            try Self.check(controlPeriod, in: 0.1...60, key: "control_period")
            try Self.check(probeSmoothing, in: 0.0001...1, key: "probe_smoothing")
            try Self.check(lidDetectDropPercent, in: 0...100, key: "lid_detect_percent")
            try Self.check(lidDetectOutputLimit, in: 0...100, key: "lid_detect_output")
            try Self.check(lidHoldTime, in: 0...3600, key: "lid_hold")
            try Self.check(lidMinimumHoldTime, in: 0...3600, key: "lid_minimum_hold")
            guard meats.count <= Self.maximumMeats else {
                throw ModelError(
                    .badConfiguration,
                    "at most \(Self.maximumMeats) meats are supported, got \(meats.count)",
                    key: "meats")
            }
            for (index, meat) in meats.enumerated() {
                let prefix = "meat\(index + 1)."
                try Self.check(meat.weight, in: 0.1...20, key: prefix + "weight")
                try Self.check(meat.initialTemperature, in: -40...250, key: prefix + "initial_temperature")
            }
        }

        private static func check(_ value: Double, in range: ClosedRange<Double>, key: String) throws(ModelError) {
            guard value.isFinite, range.contains(value) else {
                throw ModelError(
                    .badConfiguration,
                    "\(key) must be within \(range.lowerBound)…\(range.upperBound), got \(value)",
                    key: key)
            }
        }
    }
}
