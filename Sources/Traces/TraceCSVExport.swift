/// Turns the device → app lines of one interface into CSV that a profile's
/// `csv:` channel source reads (`time_column: time`, seconds since the
/// first packet). Pure.
///
/// Numbers are taken from each complete line: a JSON object's numeric or
/// numeric-string values by key (Smart Smoker: `Meat`, `Chamber`, …); a
/// HeaterMeter `$HMSU` line by its field names (`setpoint`, `pit`, `food1`,
/// `food2`, `ambient`, `output`, `output_avg`, `lid`, `fan`, `servo`); any
/// other line's numbers as `f1`, `f2`, …. A non-number (`nan`, `U`) is an
/// empty cell (a gap).
public enum TraceCSVExport {
    static let heaterMeterFields = [
        "setpoint", "pit", "food1", "food2", "ambient", "output", "output_avg", "lid", "fan", "servo",
    ]

    /// CSV text (header + rows) for `interface`.
    public static func csv(_ trace: TraceFile, interface: String) throws(TraceError) -> String {
        guard trace.serialInterfaces.contains(interface) else {
            throw TraceError(
                code: .noSuchInterface,
                message:
                    "no interface '\(interface)' in the trace (it has: \(trace.serialInterfaces.joined(separator: ", ")))"
            )
        }
        let start = trace.records.first?.timestamp ?? 0
        var rows: [(time: Double, values: [(String, String)])] = []
        var columns: [String] = []
        var pending: [UInt8] = []
        for record in trace.records where record.interface == interface && record.direction == .outbound {
            for byte in record.data {
                guard byte == 0x0A else {
                    pending.append(byte)
                    continue
                }
                let line = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                let values = fields(of: line)
                guard !values.isEmpty else { continue }
                for (name, _) in values where !columns.contains(name) { columns.append(name) }
                rows.append((Double(record.timestamp &- start) / 1e9, values))
            }
        }
        var text = (["time"] + columns).joined(separator: ",") + "\n"
        for row in rows {
            let cells = columns.map { column in row.values.first { $0.0 == column }?.1 ?? "" }
            text += ([TraceText.seconds(row.time)] + cells).joined(separator: ",") + "\n"
        }
        return text
    }

    /// The named numbers of one line (see the type's documentation).
    public static func fields(of rawLine: String) -> [(String, String)] {
        let line = rawLine.trimmingCharacters(in: [" ", "\r", "\t"])
        if line.hasPrefix("{"), line.hasSuffix("}") {
            var result: [(String, String)] = []
            for pair in line.dropFirst().dropLast().split(separator: ",") {
                let parts = pair.split(separator: ":", maxSplits: 1).map {
                    String($0).trimmingCharacters(in: [" ", "\""])
                }
                guard parts.count == 2, !parts[0].isEmpty else { continue }
                result.append((parts[0], number(parts[1])))
            }
            return result
        }
        if line.hasPrefix("$HMSU,") {
            let body = line.dropFirst(6).split(separator: "*", maxSplits: 1).first ?? ""
            let values = body.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return zip(heaterMeterFields, values).map { ($0, number($1)) }
        }
        let words = line.split(whereSeparator: { " ,;|\t".contains($0) }).map(String.init)
        let numbers = words.filter { Double($0) != nil }
        return numbers.enumerated().map { ("f\($0.offset + 1)", $0.element) }
    }

    static func number(_ text: String) -> String {
        guard let value = Double(text), value.isFinite else { return "" }
        return text
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
