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
    public var dateString: String { TextFormat.iso8601(epochMilliseconds: date, milliseconds: true) }

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
        let stamp = TextFormat.jsonString(dateString)
        return
            "{\"_id\":\"\(id)\",\"type\":\"sgv\",\"sgv\":\(sgv),\"direction\":\(TextFormat.jsonString(direction.rawValue)),"
            + "\"delta\":\(CGMEntry.decimal(delta ?? 0)),\"noise\":\(noise),\"filtered\":\(filtered),"
            + "\"unfiltered\":\(unfiltered),\"rssi\":100,\"date\":\(date),\"dateString\":\(stamp),"
            + "\"sysTime\":\(stamp),\"device\":\(TextFormat.jsonString(device)),\"utcOffset\":0}"
    }

    /// A Nightscout text row: `"dateString"<sep>date<sep>sgv<sep>"direction"<sep>"device"`.
    public func textRow(separator: String) -> String {
        ["\"\(dateString)\"", "\(date)", "\(sgv)", "\"\(direction.rawValue)\"", "\"\(device)\""]
            .joined(separator: separator)
    }

    /// A number with one decimal (`3.0`, `-1.5`), as JSON.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "0.0" }
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
