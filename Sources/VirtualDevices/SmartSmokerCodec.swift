/// The Smart Smoker V2 thermometer's serial output: 9600 baud 8N1, one JSON line
/// every 500 ms after a 3 s (six-loop) warm-up, ending CR LF:
///
///     {"Meat": "163.25","Meat2": "158.00","Meat3": "161.75","Chamber": "226.50"}
///
/// Values are °F as JSON strings with two decimals, each the mean of the last five
/// kept samples of that probe (``SmokerReadings/food`` 0–2 → `Meat`…`Meat3`,
/// ``SmokerReadings/pit`` → `Chamber`).
///
/// Firmware emulation, in single precision like the microcontroller:
/// - Every ``nextLine(_:)`` call is one loop: each probe is sampled, even during
///   the warm-up, so the first printed line already averages real samples.
/// - Start-up is the first five samples after a reset: they are kept
///   unconditionally. After that, a sample more than 50 °F away from the newest
///   kept one is dropped, so sudden real jumps are ignored or smoothed.
/// - **Disconnected probe (the documented choice):** a `nil` temperature is a
///   thermistor reading at a rail, which Steinhart–Hart turns into NaN. NaN passes
///   the jump filter (comparisons with NaN are false), so it enters the window and
///   the field prints `"nan"` (Arduino float printing) until five good samples have
///   replaced it; the first good sample after a NaN is always kept. A probe that
///   was never plugged in prints `"nan"` forever. Numbers are printed like
///   Arduino's `Print::printFloat` (see `ArduinoFloatFormat`).
/// - The firmware reads no commands: ``receive(_:)`` consumes and discards all bytes.
public struct SmartSmokerCodec: SmokerProtocolCodec {
    /// `smart-smoker`.
    public static let name = "smart-smoker"
    /// JSON keys in line order: three meat probes, then the chamber.
    public static let keys = ["Meat", "Meat2", "Meat3", "Chamber"]

    /// 9600 baud.
    public let baudRate = 9600
    /// 0.5 s per loop.
    public let lineInterval = 0.5
    /// Silent loops after a reset (default 6, i.e. 3 s).
    public let warmupLines: Int

    private var probes = [ProbeFilter](repeating: ProbeFilter(), count: 4)
    private var loops = 0

    /// A codec in its just-reset state. `warmupLines` silent loops (default 6 = 3 s).
    public init(warmupLines: Int = 6) {
        self.warmupLines = max(0, warmupLines)
    }

    /// Clears the sample windows and restarts the warm-up.
    public mutating func reset() {
        for index in probes.indices { probes[index].reset() }
        loops = 0
    }

    /// Samples every probe, then prints a line unless still warming up.
    public mutating func nextLine(_ readings: SmokerReadings) -> [UInt8]? {
        let raw = [readings.food(0), readings.food(1), readings.food(2), readings.pit]
        for (index, value) in raw.enumerated() {
            probes[index].add(Self.sample(value))
        }
        loops += 1
        guard loops > warmupLines else { return nil }
        var line = "{"
        for (index, key) in Self.keys.enumerated() {
            if index > 0 { line += "," }
            line += "\"\(key)\": \"\(ArduinoFloatFormat.format(probes[index].average, digits: 2))\""
        }
        line += "}\r\n"
        return Array(line.utf8)
    }

    /// The firmware has no command input: bytes are consumed and ignored.
    public mutating func receive(_ bytes: [UInt8]) -> [DeviceCommand] { [] }

    /// A reading as the firmware's float: `nil` (rail) becomes NaN.
    static func sample(_ value: Double?) -> Float {
        guard let value else { return .nan }
        return Float(value)
    }
}
