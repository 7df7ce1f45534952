import Simulation

/// The `cgm-jsonl` line protocol: one JSON object per CGM reading, ending in `\n`.
///
/// Keys, always in this order:
/// `{"sgv":123,"direction":"Flat","delta":-1.5,"noise":1,"date":1780747500000,"dateString":"2026-06-06T12:05:00.000Z","device":"devbridge-cgm"}`.
/// `delta` has one decimal and is `0.0` when not computable; `date` is epoch milliseconds
/// and `dateString` the same instant in ISO 8601 UTC. Pure.
public struct CGMJSONLCodec: Sendable {
    /// The serial speed of the feed.
    public static let baudRate = 9600
    /// The protocol name used by `devbridge sim --protocol`.
    public static let protocolName = "cgm-jsonl"

    public init() {}

    /// The line for one entry, as bytes (UTF-8, `\n`-terminated).
    public func line(for entry: CGMEntry) -> [UInt8] {
        Array(text(for: entry).utf8)
    }

    /// The line for one entry, as text (with the trailing `\n`).
    public func text(for entry: CGMEntry) -> String {
        "{\"sgv\":\(entry.sgv),\"direction\":\(TextFormat.jsonString(entry.direction.rawValue)),"
            + "\"delta\":\(CGMEntry.decimal(entry.delta ?? 0)),\"noise\":\(entry.noise),\"date\":\(entry.date),"
            + "\"dateString\":\"\(entry.dateString)\",\"device\":\(TextFormat.jsonString(entry.device))}\n"
    }
}
