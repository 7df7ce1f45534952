import Simulation

/// Decodes one HeaterMeter command line (terminator already removed).
///
/// Understood: `/set?` followed by `&`-separated `key=value` parameters, of which
/// `sp` (setpoint) is decoded: `sp=225F`, `sp=225` (°F assumed), `sp=107C`
/// (converted to °F), decimals allowed, unit letter in either case. Every other
/// parameter, an `sp` value that is not a finite number, and any line that is not
/// a `/set?` command become ``DeviceCommand/unknown(_:)`` carrying that parameter or
/// line, so the runner can log them; the device itself ignores them.
/// Surrounding spaces are trimmed; empty parameters (`&&`) are skipped.
enum HeaterMeterCommandParser {
    static func parse(_ line: [UInt8]) -> [DeviceCommand] {
        let text = String(decoding: line, as: UTF8.self).trimmingSpaces()
        guard !text.isEmpty else { return [] }
        let prefix = "/set?"
        guard text.hasPrefix(prefix) else { return [.unknown(text)] }
        var commands: [DeviceCommand] = []
        for parameter in text.dropFirst(prefix.count).split(separator: "&", omittingEmptySubsequences: true) {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == "sp", let fahrenheit = setpoint(parts[1]) {
                commands.append(.setSetpoint(fahrenheit: fahrenheit))
            } else {
                commands.append(.unknown(String(parameter)))
            }
        }
        return commands
    }

    /// `225F`, `225`, `107C`, `225.5f` → °F; `nil` for anything else.
    static func setpoint(_ value: Substring) -> Double? {
        var digits = value
        var unit = SignalUnit.fahrenheit
        switch digits.last {
        case "F", "f": digits = digits.dropLast()
        case "C", "c":
            digits = digits.dropLast()
            unit = .celsius
        default: break
        }
        guard let first = digits.first, first.isNumber || first == "-" || first == "." || first == "+",
            let number = Double(digits), number.isFinite
        else { return nil }
        return unit.convert(number, to: .fahrenheit)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
