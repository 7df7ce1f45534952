import Simulation

/// One CGM reading as a Nightscout `entries` record (`type: "sgv"`), placed on the calendar.
///
/// Built from a ``CGMReading`` and the profile's virtual start (`clock.startEpoch`): the
/// reading's virtual time becomes ``date`` (epoch milliseconds) and ``dateString``
/// (ISO 8601, UTC, millisecond precision). Pure value; encodes itself as Nightscout JSON,
/// as the `cgm-jsonl` line (see ``CGMJSONLCodec``) and as Nightscout's text rows.
public struct CGMEntry: Sendable, Equatable {
    /// Epoch milliseconds of the reading.
    public var date: Int64
    /// Sensor glucose (mg/dL), or ``CGMReading/lowCode`` / ``CGMReading/errorCode``.
    public var sgv: Int
    /// Trend arrow.
    public var direction: TrendDirection
    /// Change per 5 minutes (mg/dL), `nil` when not computable (encoded as 0, as uploaders do).
    public var delta: Double?
    /// Nightscout noise level 0–4.
    public var noise: Int
    /// Device name (`devbridge-cgm` by default).
    public var device: String
    /// True interstitial glucose (mg/dL); feeds `filtered`, never shown as `sgv`.
    public var trueGlucose: Double

    /// Creates an entry from a reading taken `reading.time` virtual seconds after `startEpoch`.
    public init(reading: CGMReading, startEpoch: Double, device: String) {
        date = Int64(((startEpoch + reading.time) * 1000).rounded())
        sgv = reading.sgv
        direction = reading.direction
        delta = reading.delta
        noise = reading.noise
        self.device = device
        trueGlucose = reading.trueGlucose
    }

    /// ISO 8601 UTC time with milliseconds, e.g. `2026-06-06T12:05:00.000Z`.
    public var dateString: String { CGMEntry.isoString(epochMilliseconds: date) }

    /// Nightscout's `filtered` (raw sensor units, ~1000 × mg/dL).
    public var filtered: Int { Int((trueGlucose * 1000).rounded()) }

    /// Nightscout's `unfiltered` (raw sensor units, ~1000 × mg/dL).
    public var unfiltered: Int { sgv * 1000 }

    /// A stable 24-hex-digit id derived from the date (Nightscout entries carry a Mongo `_id`).
    public var id: String {
        let hex = String(UInt64(bitPattern: date), radix: 16)
        return String(repeating: "0", count: max(0, 24 - hex.count)) + hex
    }

    /// The Nightscout JSON object (keys in a fixed order):
    /// `_id, type, sgv, direction, delta, noise, filtered, unfiltered, rssi, date, dateString, sysTime, device, utcOffset`.
    public var nightscoutJSON: String {
        let stamp = CGMEntry.jsonString(dateString)
        return
            "{\"_id\":\"\(id)\",\"type\":\"sgv\",\"sgv\":\(sgv),\"direction\":\(CGMEntry.jsonString(direction.rawValue)),"
            + "\"delta\":\(CGMEntry.decimal(delta ?? 0)),\"noise\":\(noise),\"filtered\":\(filtered),"
            + "\"unfiltered\":\(unfiltered),\"rssi\":100,\"date\":\(date),\"dateString\":\(stamp),"
            + "\"sysTime\":\(stamp),\"device\":\(CGMEntry.jsonString(device)),\"utcOffset\":0}"
    }

    /// A Nightscout text row: `"dateString"<sep>date<sep>sgv<sep>"direction"<sep>"device"`.
    public func textRow(separator: String) -> String {
        ["\"\(dateString)\"", "\(date)", "\(sgv)", "\"\(direction.rawValue)\"", "\"\(device)\""]
            .joined(separator: separator)
    }

    /// Formats epoch milliseconds as ISO 8601 UTC with milliseconds.
    public static func isoString(epochMilliseconds ms: Int64) -> String {
        let (seconds, millis) = ms.quotientAndRemainder(dividingBy: 1000)
        var secs = seconds
        var milli = millis
        if milli < 0 {
            milli += 1000
            secs -= 1
        }
        let (days, remainder) = floorDivide(secs, 86400)
        let (year, month, day) = civil(fromDays: days)
        let hour = remainder / 3600
        let minute = remainder % 3600 / 60
        let second = remainder % 60
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
            + ".\(pad(milli, 3))Z"
    }

    /// A number with one decimal (`3.0`, `-1.5`), as JSON.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "0.0" }
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    /// `text` as a JSON string literal, quotes included.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func pad<T: BinaryInteger>(_ value: T, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Days since 1970-01-01 → proleptic Gregorian (year, month, day).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
