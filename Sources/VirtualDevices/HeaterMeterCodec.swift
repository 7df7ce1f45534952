/// The HeaterMeter BBQ controller's serial protocol: 38400 baud, one status line
/// per second, ended by LF only:
///
///     $HMSU,SetPoint,Pit,Food1,Food2,Ambient,Output%,OutputAvg%,LidOpenCountdown,Fan%,Servo%*CS\n
///
/// - `CS`: two uppercase hex digits, XOR of every byte between `$` and `*`.
/// - SetPoint: `-` in manual mode, `U` when disabled (`setpoint == nil`), else
///   the integer °F (rounded to nearest).
/// - Pit, Food1 (`food[0]`), Food2 (`food[1]`), Ambient: one decimal (rounded to
///   nearest, halves away from zero), or `U` when `nil`, not finite, or beyond ±1e6.
/// - Output%, OutputAvg%, Fan%, Servo%: integers rounded to nearest, clamped to
///   0–100. LidOpenCountdown: whole seconds rounded up (a countdown shows 0 only
///   when done), clamped to 0–65535. Non-finite numbers print 0.
///
/// Commands from the app are lines ended by CR and/or LF (see
/// `HeaterMeterCommandParser`): `/set?sp=225F`, `sp=225`, `sp=107C` (→ °F) and
/// several parameters joined by `&`. Partial lines are buffered across
/// ``receive(_:)`` calls; a line over 256 bytes is dropped up to its terminator.
/// **Unknown commands and parameters are reported** as ``DeviceCommand/unknown(_:)``
/// (the device does nothing with them). Commands are accepted during warm-up too.
///
/// Warm-up: after a reset the first `warmupLines` loops (default 2, i.e. 2 s:
/// bootloader plus start-up; an assumption, not a measured figure) print nothing.
public struct HeaterMeterCodec: SmokerProtocolCodec {
    /// `heatermeter`.
    public static let name = "heatermeter"

    /// 38400 baud.
    public let baudRate = 38400
    /// 1 s per status line.
    public let lineInterval = 1.0
    /// Silent loops after a reset (default 2).
    public let warmupLines: Int

    private var input: LineAccumulator
    private var loops = 0

    /// A codec in its just-reset state; lines over `maximumCommandLength` bytes are dropped.
    public init(warmupLines: Int = 2, maximumCommandLength: Int = 256) {
        self.warmupLines = max(0, warmupLines)
        self.input = LineAccumulator(maximumLength: maximumCommandLength)
    }

    /// Bytes of the unfinished command line currently buffered (never above the limit).
    public var bufferedCommandBytes: Int { input.pending.count }

    /// Restarts the warm-up and drops any partial command line.
    public mutating func reset() {
        loops = 0
        input.reset()
    }

    /// Prints the `$HMSU` line for `readings`, or `nil` while warming up.
    public mutating func nextLine(_ readings: SmokerReadings) -> [UInt8]? {
        loops += 1
        guard loops > warmupLines else { return nil }
        return Array(Self.statusLine(readings).utf8)
    }

    /// Buffers bytes and decodes every completed command line.
    public mutating func receive(_ bytes: [UInt8]) -> [DeviceCommand] {
        input.append(bytes).flatMap(HeaterMeterCommandParser.parse)
    }

    /// The full status line, `$` to LF, for `readings` (no warm-up involved).
    public static func statusLine(_ readings: SmokerReadings) -> String {
        let setpoint: String =
            if readings.manualMode { "-" } else if let value = readings.setpoint, value.isFinite {
                String(Int(value.clamped(-99_999, 99_999).rounded()))
            } else { "U" }
        let fields = [
            "HMSU",
            setpoint,
            probe(readings.pit),
            probe(readings.food(0)),
            probe(readings.food(1)),
            probe(readings.ambient),
            percent(readings.output),
            percent(readings.outputAverage),
            countdown(readings.lidOpenCountdown),
            percent(readings.fan),
            percent(readings.servo),
        ]
        let body = fields.joined(separator: ",")
        return "$\(body)*\(checksum(body))\n"
    }

    /// XOR of the UTF-8 bytes of `body` as two uppercase hex digits.
    public static func checksum(_ body: String) -> String {
        let value = body.utf8.reduce(UInt8(0), ^)
        let hex = Array("0123456789ABCDEF")
        return String([hex[Int(value >> 4)], hex[Int(value & 0x0F)]])
    }

    static func probe(_ value: Double?) -> String {
        guard let value, value.isFinite, abs(value) <= 1e6 else { return "U" }
        let tenths = Int((value * 10).rounded())
        let magnitude = abs(tenths)
        return "\(tenths < 0 ? "-" : "")\(magnitude / 10).\(magnitude % 10)"
    }

    static func percent(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String(Int(value.clamped(0, 100).rounded()))
    }

    static func countdown(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String(Int(value.clamped(0, 65535).rounded(.up)))
    }
}

extension Double {
    fileprivate func clamped(_ low: Double, _ high: Double) -> Double {
        Swift.min(Swift.max(self, low), high)
    }
}
