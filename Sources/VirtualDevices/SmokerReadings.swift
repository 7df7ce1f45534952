/// One snapshot of a smoker controller's state, handed to a ``SmokerProtocolCodec``
/// once per line. All temperatures are in °F, whatever the device prints.
///
/// `nil` temperatures mean "no reading": the probe is missing, unplugged or
/// shorted. Each codec prints that the way its firmware would (`U` for
/// HeaterMeter, `"nan"` for the Smart Smoker; see the codecs' documentation).
///
/// Probe mapping:
/// - Smart Smoker: `pit` → `Chamber`, `food[0...2]` → `Meat`, `Meat2`, `Meat3`.
/// - HeaterMeter: `pit` → Pit, `food[0...1]` → Food1, Food2, `ambient` → Ambient.
///   A third food probe is ignored (HeaterMeter has four probe ports in all).
/// Entries missing from `food` count as `nil`.
public struct SmokerReadings: Sendable, Equatable {
    /// Controller setpoint in °F; `nil` when the controller is disabled (HeaterMeter prints `U`).
    public var setpoint: Double?
    /// Manual fan mode: HeaterMeter prints `-` as the setpoint.
    public var manualMode: Bool
    /// Pit (chamber) temperature in °F, or `nil` when the probe has no reading.
    public var pit: Double?
    /// Food (meat) probes in °F, up to three; `nil` entries have no reading.
    public var food: [Double?]
    /// Ambient temperature in °F, or `nil` when that probe has no reading.
    public var ambient: Double?
    /// Controller output in percent (0–100).
    public var output: Double
    /// Average controller output in percent (0–100).
    public var outputAverage: Double
    /// Seconds left of the lid-open hold; 0 when the lid is not open.
    public var lidOpenCountdown: Double
    /// Fan speed in percent (0–100).
    public var fan: Double
    /// Servo (damper) position in percent (0–100).
    public var servo: Double

    /// Creates a snapshot; every field defaults to "nothing connected, idle".
    public init(
        setpoint: Double? = nil,
        manualMode: Bool = false,
        pit: Double? = nil,
        food: [Double?] = [],
        ambient: Double? = nil,
        output: Double = 0,
        outputAverage: Double = 0,
        lidOpenCountdown: Double = 0,
        fan: Double = 0,
        servo: Double = 0
    ) {
        self.setpoint = setpoint
        self.manualMode = manualMode
        self.pit = pit
        self.food = food
        self.ambient = ambient
        self.output = output
        self.outputAverage = outputAverage
        self.lidOpenCountdown = lidOpenCountdown
        self.fan = fan
        self.servo = servo
    }

    /// Food probe `index` (0-based), `nil` when absent or out of range.
    public func food(_ index: Int) -> Double? {
        food.indices.contains(index) ? food[index] : nil
    }
}
