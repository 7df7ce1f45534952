/// The HeaterMeter control loop: PID with derivative on measurement, output
/// averaging and lid-open detection. Pure state machine, ticked once per control period.
///
/// - P: `kp · error`; I: `ki · error` accumulated each tick, clamped to 0…100 and
///   frozen while the output is saturated in the error's direction; D: `kd · (avg − pit)`
///   where `avg` is the probe's exponential moving average (α = 2/61), i.e. derivative
///   on measurement.
/// - Lid detection: armed once the pit has reached setpoint; when the pit falls to
///   `setpoint · (1 − lidDropFraction)` or below while the average output is below
///   `lidOutputLimit`, the fan is held off for `lidHoldTime` seconds, or until the pit is
///   back at setpoint once at least `lidMinimumTime` seconds have passed. Detection disarms
///   until setpoint is reached again.
struct HeaterMeterController: Sendable, Equatable {
    var kp: Double
    var ki: Double
    var kd: Double
    var alpha: Double
    var lidDropFraction: Double
    var lidOutputLimit: Double
    var lidHoldTime: Double
    var lidMinimumTime: Double

    var setpoint: Double
    /// Smoothed pit temperature (°F).
    private(set) var pitAverage: Double
    private(set) var integral: Double = 0
    /// PID output 0…100 (0 while the lid hold is active).
    private(set) var output: Double = 0
    /// Moving average of the output, 0…100.
    private(set) var outputAverage: Double = 0
    /// Seconds left in the lid-open hold, 0 when not active.
    private(set) var lidCountdown: Double = 0
    private var lidElapsed: Double = 0
    private(set) var pitReached = false

    init(configuration c: SmokerModel.Configuration, pit: Double) {
        kp = c.proportionalGain
        ki = c.integralGain
        kd = c.derivativeGain
        alpha = c.probeSmoothing
        lidDropFraction = c.lidDetectDropPercent / 100
        lidOutputLimit = c.lidDetectOutputLimit
        lidHoldTime = c.lidHoldTime
        lidMinimumTime = c.lidMinimumHoldTime
        setpoint = c.setpoint
        pitAverage = pit
    }

    /// Changes the setpoint; like HeaterMeter this disarms lid detection until the
    /// new setpoint has been reached and cancels a running lid hold.
    mutating func changeSetpoint(_ value: Double) {
        setpoint = value
        pitReached = false
        lidCountdown = 0
    }

    /// One control period of `period` seconds with the current pit reading.
    mutating func tick(pit: Double, period: Double) {
        pitAverage += alpha * (pit - pitAverage)
        if pitReached, lidCountdown <= 0, lidHoldTime > 0,
            pit <= setpoint * (1 - lidDropFraction), outputAverage < lidOutputLimit
        {
            lidCountdown = lidHoldTime
            lidElapsed = 0
            pitReached = false
        }
        if lidCountdown > 0 {
            lidElapsed += period
            lidCountdown -= period
            if pit >= setpoint, lidElapsed >= lidMinimumTime { lidCountdown = 0 }
            if lidCountdown <= 0 {
                lidCountdown = 0
                if pit >= setpoint { pitReached = true }
            }
            output = 0
        } else {
            let error = setpoint - pit
            let proportional = kp * error
            let derivative = kd * (pitAverage - pit)
            let raw = proportional + integral + derivative
            if !((raw >= 100 && error > 0) || (raw <= 0 && error < 0)) {
                integral = min(100, max(0, integral + ki * error * period))
            }
            output = min(100, max(0, proportional + integral + derivative))
            if pit >= setpoint { pitReached = true }
        }
        outputAverage += alpha * (output - outputAverage)
    }
}
