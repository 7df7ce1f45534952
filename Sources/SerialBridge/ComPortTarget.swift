import SerialIO

/// What the RFC 2217 handler drives: a serial device (or a fake in tests).
///
/// Values use RFC 2217 codes. Each setter receives `nil` for a query (the
/// client sent 0) and returns the value actually in force afterwards, which
/// is what the server acknowledges. Implementations must be fast and
/// non-blocking (they run on the event loop) and never fail: a setting the
/// device cannot take (parity on a PTY) simply reports what it does have.
public protocol ComPortTarget: AnyObject {
    /// SET-BAUDRATE: bits per second.
    func comPortSetBaud(_ baud: UInt32?) -> UInt32
    /// SET-DATASIZE: 5 to 8.
    func comPortSetDataSize(_ size: UInt8?) -> UInt8
    /// SET-PARITY: 1 none, 2 odd, 3 even, 4 mark, 5 space.
    func comPortSetParity(_ parity: UInt8?) -> UInt8
    /// SET-STOPSIZE: 1, 2, or 3 (1.5).
    func comPortSetStopSize(_ size: UInt8?) -> UInt8
    /// SET-CONTROL with any value 0...19; returns the value in force for
    /// the same group (flow, BREAK, DTR, RTS, inbound flow).
    func comPortControl(_ value: UInt8) -> UInt8
    /// PURGE-DATA: 1 receive buffer, 2 transmit buffer, 3 both.
    func comPortPurge(_ value: UInt8)
    /// Current modem lines as the high nibble of NOTIFY-MODEMSTATE
    /// (CD 0x80, RI 0x40, DSR 0x20, CTS 0x10); 0 when the device has none.
    func comPortModemLines() -> UInt8
}

/// RFC 2217 command codes (client to server; the server adds 100).
public enum ComPortCommand {
    /// SIGNATURE.
    public static let signature: UInt8 = 0
    /// SET-BAUDRATE.
    public static let setBaudRate: UInt8 = 1
    /// SET-DATASIZE.
    public static let setDataSize: UInt8 = 2
    /// SET-PARITY.
    public static let setParity: UInt8 = 3
    /// SET-STOPSIZE.
    public static let setStopSize: UInt8 = 4
    /// SET-CONTROL.
    public static let setControl: UInt8 = 5
    /// NOTIFY-LINESTATE.
    public static let notifyLineState: UInt8 = 6
    /// NOTIFY-MODEMSTATE.
    public static let notifyModemState: UInt8 = 7
    /// FLOWCONTROL-SUSPEND.
    public static let flowControlSuspend: UInt8 = 8
    /// FLOWCONTROL-RESUME.
    public static let flowControlResume: UInt8 = 9
    /// SET-LINESTATE-MASK.
    public static let setLineStateMask: UInt8 = 10
    /// SET-MODEMSTATE-MASK.
    public static let setModemStateMask: UInt8 = 11
    /// PURGE-DATA.
    public static let purgeData: UInt8 = 12
    /// Added to a command code in server replies.
    public static let serverOffset: UInt8 = 100
}

/// Modem-state bookkeeping for NOTIFY-MODEMSTATE (RFC 2217): delta bits
/// computed from the previous lines, filtered by the client's mask. Pure.
public struct ModemStateTracker: Sendable, Equatable {
    /// The client's SET-MODEMSTATE-MASK (default 255, as in ser2net and RFC examples).
    public var mask: UInt8 = 0xFF
    /// The lines (high nibble) last reported.
    public private(set) var lastLines: UInt8 = 0

    /// Creates a tracker starting from `lines`.
    public init(lines: UInt8 = 0) {
        lastLines = lines & 0xF0
    }

    /// The full state byte for `lines` with delta bits against the last report,
    /// masked; nil when nothing the mask lets through changed.
    public mutating func update(lines newLines: UInt8) -> UInt8? {
        let lines = newLines & 0xF0
        let changed = lines ^ lastLines
        guard changed != 0 else { return nil }
        var delta: UInt8 = 0
        if changed & 0x10 != 0 { delta |= 0x01 }  // delta CTS
        if changed & 0x20 != 0 { delta |= 0x02 }  // delta DSR
        if changed & 0x40 != 0, lines & 0x40 == 0 { delta |= 0x04 }  // trailing edge RI
        if changed & 0x80 != 0 { delta |= 0x08 }  // delta CD
        lastLines = lines
        let state = (lines | delta) & mask
        return (delta & mask) != 0 || (changed & mask) != 0 ? state : nil
    }

    /// The current state without delta bits, for polls and the initial report.
    public func snapshot() -> UInt8 { lastLines & mask }
}

extension ModemLines {
    /// The device's lines as the high nibble of NOTIFY-MODEMSTATE (CD 0x80, RI 0x40, DSR 0x20, CTS 0x10).
    var comPortNibble: UInt8 {
        var nibble: UInt8 = 0
        if contains(.carrierDetect) { nibble |= 0x80 }
        if contains(.ringIndicator) { nibble |= 0x40 }
        if contains(.dataSetReady) { nibble |= 0x20 }
        if contains(.clearToSend) { nibble |= 0x10 }
        return nibble
    }
}

extension Parity {
    /// RFC 2217's SET-PARITY codes, 1 to 5, in order.
    private static let comPortOrder: [Parity] = [.none, .odd, .even, .mark, .space]

    /// The parity of a SET-PARITY code; nil for 0 (a query) and unknown codes.
    init?(comPortCode code: UInt8) {
        guard (1...5).contains(code) else { return nil }
        self = Self.comPortOrder[Int(code) - 1]
    }

    /// The SET-PARITY code of this parity.
    var comPortCode: UInt8 { UInt8(Self.comPortOrder.firstIndex(of: self)! + 1) }
}
