import VirtualDevices

/// Parses a Nightscout query string (`count=5&find[date][$gte]=1780747500000`) into a
/// ``CGMHistory/Query``. Keys and values are percent-decoded (`find%5Bdate%5D%5B%24gte%5D`
/// works too); unknown keys are ignored, as Nightscout ignores them.
public enum NightscoutQuery {
    /// Largest `count` honoured.
    public static let maximumCount = 100_000

    /// Why a query was refused.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var code: String
        public var message: String
        public var description: String { message }
    }

    /// The query of `rawQuery` (the part after `?`, or nil).
    public static func parse(_ rawQuery: String?) throws(Failure) -> CGMHistory.Query {
        var query = CGMHistory.Query()
        guard let rawQuery, !rawQuery.isEmpty else { return query }
        for pair in rawQuery.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(parts[0])
            let value = parts.count > 1 ? percentDecode(parts[1]) : ""
            switch key {
            case "count":
                guard let count = Int(value), count >= 0 else {
                    throw Failure(code: "badCount", message: "count must be a non-negative integer")
                }
                query.count = min(count, maximumCount)
            case "find[date][$gte]": query.dateGTE = try milliseconds(key, value)
            case "find[date][$gt]": query.dateGT = try milliseconds(key, value)
            case "find[date][$lte]": query.dateLTE = try milliseconds(key, value)
            case "find[date][$lt]": query.dateLT = try milliseconds(key, value)
            default: continue
            }
        }
        return query
    }

    private static func milliseconds(_ key: String, _ value: String) throws(Failure) -> Int64 {
        if let integer = Int64(value) { return integer }
        if let number = Double(value), number.isFinite, abs(number) < 1e17 { return Int64(number) }
        throw Failure(code: "badDate", message: "\(key) must be epoch milliseconds")
    }

    /// Percent-decodes `text` (`+` is a space); invalid escapes are kept as they are.
    static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let high = hexValue(utf8[utf8.startIndex]), let low = hexValue(utf8[utf8.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                utf8.removeFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
