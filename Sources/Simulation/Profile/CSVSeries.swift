/// A time series read from CSV text (for replaying a real cook into a channel).
public struct CSVSeries: Sendable {
    public var times: [Double]
    public var values: [Double]

    /// A CSV problem, with the 1-based line.
    public struct Failure: Error, Sendable {
        public var message: String
    }

    /// Parses CSV with a header row. Times are seconds (or durations such as `1h`, or `HH:MM:SS`).
    /// Rows with an empty value are skipped (gaps).
    public static func parse(_ text: String, timeColumn: String, valueColumn: String) throws(Failure) -> CSVSeries {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while let last = lines.last, last.trimmingWhitespace().isEmpty { lines.removeLast() }
        guard let header = lines.first else { throw Failure(message: "the CSV file is empty") }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard let timeIndex = columns.firstIndex(of: timeColumn) else {
            throw Failure(message: "line 1: no column '\(timeColumn)' (columns: \(columns.joined(separator: ", ")))")
        }
        guard let valueIndex = columns.firstIndex(of: valueColumn) else {
            throw Failure(message: "line 1: no column '\(valueColumn)' (columns: \(columns.joined(separator: ", ")))")
        }
        var series = CSVSeries(times: [], values: [])
        for (offset, line) in lines.dropFirst().enumerated() {
            let lineNumber = offset + 2
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            guard cells.count > max(timeIndex, valueIndex) else {
                throw Failure(message: "line \(lineNumber): expected \(columns.count) cells, found \(cells.count)")
            }
            let timeText = cells[timeIndex]
            let time: Double
            if let seconds = Double(timeText) {
                time = seconds
            } else if let clock = clockSeconds(timeText) {
                time = clock
            } else if let duration = try? DurationText.parse(timeText) {
                time = duration
            } else {
                throw Failure(message: "line \(lineNumber): '\(timeText)' is not a time")
            }
            if cells[valueIndex].isEmpty || cells[valueIndex] == "nan" { continue }
            guard let value = Double(cells[valueIndex]) else {
                throw Failure(message: "line \(lineNumber): '\(cells[valueIndex])' is not a number")
            }
            if let last = series.times.last, time <= last {
                throw Failure(message: "line \(lineNumber): time \(timeText) does not increase")
            }
            series.times.append(time)
            series.values.append(value)
        }
        guard !series.times.isEmpty else { throw Failure(message: "no data rows in column '\(valueColumn)'") }
        return series
    }

    /// `HH:MM:SS` (hours may exceed 24) as seconds.
    static func clockSeconds(_ text: String) -> Double? {
        let parts = text.split(separator: ":").map { Int($0) }
        guard parts.count == 3, let h = parts[0], let m = parts[1], let s = parts[2] else { return nil }
        return Double(h * 3600 + m * 60 + s)
    }
}
