import CLinuxSupport

/// Parity of a serial character frame.
public enum Parity: String, Sendable, Equatable, Hashable, CaseIterable {
    /// No parity bit.
    case none
    /// A parity bit making the count of ones odd.
    case odd
    /// A parity bit making the count of ones even.
    case even
    /// A parity bit that is always 1.
    case mark
    /// A parity bit that is always 0.
    case space

    /// The letter used in "8N1"-style notation.
    public var letter: Character {
        switch self {
        case .none: "N"
        case .odd: "O"
        case .even: "E"
        case .mark: "M"
        case .space: "S"
        }
    }
}

/// Number of stop bits of a serial character frame (termios knows 1 and 2).
public enum StopBits: Int, Sendable, Equatable, Hashable, CaseIterable {
    /// One stop bit.
    case one = 1
    /// Two stop bits.
    case two = 2
}

/// The framing of a serial line: what a UART is set to, and what an app
/// sets on a tty with `tcsetattr` (baud, data bits, parity, stop bits).
///
/// On a Linux PTY the kernel keeps the baud (any value) and the stop bits an
/// app sets, but forces 8 data bits and no parity (`pty_set_termios`), so
/// a PTY slave always reads back `…8N1` or `…8N2`.
public struct LineSettings: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Bits per second. Any positive value (non-standard rates such as
    /// 250000 are read and set through termios2 `BOTHER`).
    public var baud: Int
    /// Data bits per character, 5 to 8.
    public var dataBits: Int
    /// Parity bit, if any.
    public var parity: Parity
    /// Stop bits.
    public var stopBits: StopBits

    /// Creates line settings; the defaults give `baud` 8N1.
    public init(baud: Int, dataBits: Int = 8, parity: Parity = .none, stopBits: StopBits = .one) {
        self.baud = baud
        self.dataBits = dataBits
        self.parity = parity
        self.stopBits = stopBits
    }

    /// 9600 8N1, what most hobby devices (and the Smart Smoker) speak.
    public static let default9600 = LineSettings(baud: 9600)

    /// e.g. "9600 8N1".
    public var description: String {
        "\(baud) \(dataBits)\(parity.letter)\(stopBits.rawValue)"
    }

    /// Bits on the wire per character: start, data, parity and stop bits.
    public var bitsPerFrame: Int {
        1 + dataBits + (parity == .none ? 0 : 1) + stopBits.rawValue
    }

    /// Throws `invalidLineSettings` unless baud > 0 and 5 ≤ dataBits ≤ 8.
    public func validate() throws(SerialIOError) {
        guard baud > 0, baud <= Int(UInt32.max), (5...8).contains(dataBits) else {
            throw SerialIOError(code: .invalidLineSettings, message: "invalid line settings \(self)")
        }
    }

    /// Reads the line settings of a tty (e.g. a PTY slave or a serial port)
    /// with `TCGETS2`, so non-standard baud rates read back exactly.
    public static func read(fileDescriptor fd: Int32, path: String? = nil) throws(SerialIOError) -> LineSettings {
        var raw = devbridge_line_settings()
        let rc = devbridge_line_settings_get(fd, &raw)
        guard rc == 0 else {
            throw SerialIOError(
                code: .lineSettingsFailed,
                message: "cannot read line settings of \(path ?? "fd \(fd)")",
                path: path, errno: -rc)
        }
        return LineSettings(raw)
    }

    /// Sets these line settings on a tty with `TCSETS2` (any baud via
    /// `BOTHER`). With `makeRaw` the tty is also put in raw mode (no echo,
    /// no line editing, no CR/LF translation), as `cfmakeraw` does.
    public func apply(fileDescriptor fd: Int32, makeRaw: Bool, path: String? = nil) throws(SerialIOError) {
        try validate()
        var raw = cValue
        let rc = devbridge_line_settings_set(fd, &raw, makeRaw ? 1 : 0)
        guard rc == 0 else {
            throw SerialIOError(
                code: .lineSettingsFailed,
                message: "cannot set line settings \(self) on \(path ?? "fd \(fd)")",
                path: path, errno: -rc)
        }
    }

    init(_ raw: devbridge_line_settings) {
        let parity: Parity =
            switch Int(raw.parity) {
            case DEVBRIDGE_PARITY_ODD: .odd
            case DEVBRIDGE_PARITY_EVEN: .even
            case DEVBRIDGE_PARITY_MARK: .mark
            case DEVBRIDGE_PARITY_SPACE: .space
            default: .none
            }
        self.init(
            baud: Int(raw.baud), dataBits: Int(raw.data_bits), parity: parity,
            stopBits: raw.stop_bits == 2 ? .two : .one)
    }

    var cValue: devbridge_line_settings {
        let parity: Int32 =
            switch self.parity {
            case .none: Int32(DEVBRIDGE_PARITY_NONE)
            case .odd: Int32(DEVBRIDGE_PARITY_ODD)
            case .even: Int32(DEVBRIDGE_PARITY_EVEN)
            case .mark: Int32(DEVBRIDGE_PARITY_MARK)
            case .space: Int32(DEVBRIDGE_PARITY_SPACE)
            }
        return devbridge_line_settings(
            baud: UInt32(clamping: baud), data_bits: Int32(dataBits), parity: parity,
            stop_bits: Int32(stopBits.rawValue))
    }
}
