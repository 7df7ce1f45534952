/// Text helpers for SVG output: XML escaping, locale-free fixed-decimal
/// number formatting and a rough text-width estimate for layout.
enum SVGText {
    /// Escapes `text` for use in XML character data and attribute values.
    ///
    /// Characters not allowed in XML 1.0 (most C0 controls, lone surrogates
    /// cannot occur in `String`) are replaced by U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                let allowed = v >= 0x20 && v != 0xFFFE && v != 0xFFFF
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }

    /// Formats `value` with at most `decimals` fraction digits, dropping
    /// trailing zeros; never uses a locale, never prints `-0`.
    static func number(_ value: Double, decimals: Int = 1) -> String {
        guard value.isFinite else { return "0" }
        let d = max(0, min(decimals, 9))
        var scale: Int64 = 1
        for _ in 0..<d { scale *= 10 }
        let scaled = (value * Double(scale)).rounded()
        guard abs(scaled) < 9.0e17 else { return String(Int64(value.rounded())) }
        var n = Int64(scaled)
        if n == 0 { return "0" }
        let negative = n < 0
        n = abs(n)
        let whole = n / scale
        var frac = n % scale
        var fracDigits = d
        while fracDigits > 0 && frac % 10 == 0 {
            frac /= 10
            fracDigits -= 1
        }
        var s = negative ? "-" : ""
        s += String(whole)
        if fracDigits > 0 {
            let digits = String(frac)
            s += "." + String(repeating: "0", count: fracDigits - digits.count) + digits
        }
        return s
    }

    /// Estimated rendered width of `text` in a sans-serif font of `fontSize` px.
    static func width(_ text: String, fontSize: Double) -> Double {
        var units = 0.0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x20, 0x2E, 0x2C, 0x3A, 0x3B, 0x69, 0x6A, 0x6C, 0x49, 0x7C, 0x27, 0x21: units += 0.32
            case 0x41...0x5A, 0x6D, 0x77, 0x25, 0x40: units += 0.72
            case 0x1100...0x11FF, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFF00...0xFF60:
                units += 1.0
            default: units += 0.56
            }
        }
        return units * fontSize
    }

    /// `text` cut to at most `maxCharacters` characters, with an ellipsis when cut.
    static func truncated(_ text: String, maxCharacters: Int) -> String {
        guard text.count > maxCharacters, maxCharacters > 1 else { return text }
        return String(text.prefix(maxCharacters - 1)) + "…"
    }
}
