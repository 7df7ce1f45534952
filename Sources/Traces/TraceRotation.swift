/// When a long recording moves on to a new file. Files are named `FILE`,
/// `FILE.1`, `FILE.2`, … in order; each is a complete pcapng file with its
/// own section header and interface descriptions.
public struct TraceRotation: Sendable, Equatable {
    /// Start a new file once the current one holds this many bytes.
    public var maxBytes: Int?
    /// Start a new file once the current one is this old (ns).
    public var maxAgeNanoseconds: UInt64?

    /// Creates a rotation policy (nil fields: no limit).
    public init(maxBytes: Int? = nil, maxAgeNanoseconds: UInt64? = nil) {
        self.maxBytes = maxBytes
        self.maxAgeNanoseconds = maxAgeNanoseconds
    }

    /// True when either limit is reached.
    public func isDue(bytes: Int, ageNanoseconds: UInt64) -> Bool {
        if let maxBytes, bytes >= maxBytes { return true }
        if let maxAgeNanoseconds, ageNanoseconds >= maxAgeNanoseconds { return true }
        return false
    }

    /// The path of the `index`-th file (0 → `base`, n → `base.n`).
    public static func path(base: String, index: Int) -> String {
        index == 0 ? base : "\(base).\(index)"
    }

    /// Parses a size: `100MB`, `1GB`, `512KB`, `4096` (bytes; K/M/G are powers of 1000,
    /// KiB/MiB/GiB powers of 1024).
    public static func parseSize(_ text: String) throws(TraceError) -> Int {
        let units: [(String, Int)] = [
            ("KIB", 1 << 10), ("MIB", 1 << 20), ("GIB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
            ("GB", 1_000_000_000), ("K", 1000), ("M", 1_000_000), ("G", 1_000_000_000), ("B", 1),
        ]
        let upper = text.uppercased().trimmingSpaces
        var multiplier = 1
        var number = upper
        for (suffix, factor) in units where upper.hasSuffix(suffix) {
            multiplier = factor
            number = String(upper.dropLast(suffix.count)).trimmingSpaces
            break
        }
        guard let value = Double(number), value > 0, value.isFinite else {
            throw TraceError(code: .invalidArgument, message: "invalid size '\(text)' (e.g. 100MB, 1GiB)")
        }
        return Int(value * Double(multiplier))
    }

    /// Parses an interval: `1h`, `30m`, `90s`, `1d` or plain seconds; returns ns.
    public static func parseInterval(_ text: String) throws(TraceError) -> UInt64 {
        let lower = text.lowercased().trimmingSpaces
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        var multiplier = 1.0
        var number = lower
        for (suffix, factor) in units where lower.hasSuffix(suffix) {
            multiplier = factor
            number = String(lower.dropLast(suffix.count))
            break
        }
        guard let value = Double(number), value > 0, value.isFinite else {
            throw TraceError(code: .invalidArgument, message: "invalid interval '\(text)' (e.g. 1h, 30m, 90s)")
        }
        return UInt64(value * multiplier * 1e9)
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
