/// Splits a byte stream into lines ended by CR and/or LF, with bounded memory.
///
/// Partial lines are kept across ``append(_:)`` calls. Empty lines (for example
/// between the CR and LF of CR LF) are skipped. A line longer than
/// ``maximumLength`` bytes is garbage: its bytes are discarded as they come, up to
/// and including the next CR or LF, so the buffer never holds more than
/// ``maximumLength`` bytes and the tail of the garbage is never taken for a command.
public struct LineAccumulator: Sendable, Equatable {
    /// Longest line kept, in bytes, terminator excluded.
    public let maximumLength: Int
    /// Bytes of the current, unfinished line.
    public private(set) var pending: [UInt8] = []
    /// Whether the current line overflowed and is being skipped up to its end.
    public private(set) var isDiscarding = false
    /// Number of overlong lines dropped since creation or ``reset()``.
    public private(set) var discardedLines = 0

    /// An empty accumulator; lines longer than `maximumLength` bytes are dropped.
    public init(maximumLength: Int = 256) {
        self.maximumLength = max(1, maximumLength)
    }

    /// Adds bytes; returns the lines they complete (terminators removed), in order.
    public mutating func append(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in bytes {
            if byte == 0x0D || byte == 0x0A {
                if isDiscarding {
                    isDiscarding = false
                } else if !pending.isEmpty {
                    lines.append(pending)
                }
                pending.removeAll(keepingCapacity: true)
            } else if isDiscarding {
                continue
            } else if pending.count == maximumLength {
                pending.removeAll(keepingCapacity: true)
                isDiscarding = true
                discardedLines += 1
            } else {
                pending.append(byte)
            }
        }
        return lines
    }

    /// Drops any partial line.
    public mutating func reset() {
        pending.removeAll(keepingCapacity: true)
        isDiscarding = false
        discardedLines = 0
    }
}
