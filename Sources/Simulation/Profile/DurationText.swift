/// Parses and formats durations written as `90s`, `15m`, `2h30m`, `1d12h`, `500ms`.
public enum DurationText {
    /// Why a duration did not parse.
    public enum Failure: Error, Sendable { case missingUnit, invalid }

    private static let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("s", 1), ("min", 60), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800),
    ]

    /// Seconds for `text`. A bare number is rejected with `.missingUnit` (except `0`).
    public static func parse(_ text: String) throws(Failure) -> Double {
        var rest = Substring(text.trimmingWhitespace())
        var sign = 1.0
        if rest.hasPrefix("-") {
            sign = -1
            rest = rest.dropFirst()
        } else if rest.hasPrefix("+") {
            rest = rest.dropFirst()
        }
        if rest.isEmpty { throw .invalid }
        if rest == "0" { return 0 }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { throw .invalid }
            rest = rest.dropFirst(number.count)
            if rest.isEmpty { throw .missingUnit }
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else { throw .invalid }
            rest = rest.dropFirst(unit.suffix.count)
            total += value * unit.seconds
        }
        return sign * total
    }

    /// Formats seconds compactly: `2h30m`, `45s`, `1d2h`, `0s`.
    public static func format(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        var rest = abs(seconds)
        var text = seconds < 0 ? "-" : ""
        for (suffix, size) in [("d", 86_400.0), ("h", 3600.0), ("m", 60.0)] where rest >= size {
            let count = (rest / size).rounded(.down)
            text += "\(Int(count))\(suffix)"
            rest -= count * size
        }
        if rest > 0.0005 {
            let whole = rest.rounded()
            text += abs(rest - whole) < 0.0005 ? "\(Int(whole))s" : "\(Int((rest * 1000).rounded()))ms"
        }
        return text
    }

    /// `HH:MM:SS` clock text for an elapsed time (hours may exceed 24).
    public static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let h = total / 3600
        let m = (total % 3600) / 60
        let s = total % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m):" + (s < 10 ? "0" : "") + "\(s)"
    }
}

/// A time of day, `07:30` or `07:30:15`, as seconds after midnight.
public enum TimeOfDayText {
    /// Seconds after midnight, or nil when `text` is not `HH:MM[:SS]`.
    public static func parse(_ text: String) -> Double? {
        let parts = text.trimmingWhitespace().split(separator: ":")
        guard parts.count == 2 || parts.count == 3 else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count, numbers[0] >= 0, numbers[0] < 24, numbers[1] >= 0, numbers[1] < 60
        else { return nil }
        let seconds = numbers.count == 3 ? numbers[2] : 0
        guard seconds >= 0, seconds < 60 else { return nil }
        return Double(numbers[0] * 3600 + numbers[1] * 60 + seconds)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s = s.dropFirst() }
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
