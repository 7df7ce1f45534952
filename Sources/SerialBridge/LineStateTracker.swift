import SerialIO

/// NOTIFY-LINESTATE error bits (RFC 2217) from a UART's cumulative error
/// counters: an error that happened since the previous poll sets its bit in
/// that poll's report. Pure.
public struct LineStateTracker: Sendable, Equatable {
    /// Break-detect error (RFC 2217 bit 4).
    public static let breakDetect: UInt8 = 0x10
    /// Framing error (bit 3).
    public static let framingError: UInt8 = 0x08
    /// Parity error (bit 2).
    public static let parityError: UInt8 = 0x04
    /// Overrun error (bit 1): the UART's or the tty buffer's.
    public static let overrunError: UInt8 = 0x02
    /// Transfer holding and shift registers empty (bits 5 and 6): always true
    /// here, since the kernel drains them.
    public static let transmitRegistersEmpty: UInt8 = 0x60

    private var last: LineErrorCounts

    /// Starts from the counters as they are now (errors before the export are not reported).
    public init(counts: LineErrorCounts) { last = counts }

    /// The error bits for what the counters gained since the last call; 0 when none did.
    public mutating func update(_ counts: LineErrorCounts) -> UInt8 {
        defer { last = counts }
        var bits: UInt8 = 0
        if counts.breaks != last.breaks { bits |= Self.breakDetect }
        if counts.framing != last.framing { bits |= Self.framingError }
        if counts.parity != last.parity { bits |= Self.parityError }
        if counts.overrun != last.overrun || counts.bufferOverrun != last.bufferOverrun { bits |= Self.overrunError }
        return bits
    }
}
