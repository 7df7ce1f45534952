import SerialIO

extension TraceEvent {
    /// The `line …` event of `settings`.
    public init(_ settings: LineSettings) {
        self = .lineSettings(
            baud: settings.baud, dataBits: settings.dataBits, parity: settings.parity.letter,
            stopBits: settings.stopBits.rawValue)
    }

    /// The event of a PTY endpoint event (`.opened` → `open`, …).
    public init(_ event: PTYEvent) {
        switch event {
        case .opened: self = .open
        case .closed: self = .close
        case .lineSettingsChanged(let settings): self.init(settings)
        }
    }

    /// The line settings of a `line …` event, if it is one.
    public var settings: LineSettings? {
        guard case .lineSettings(let baud, let dataBits, let letter, let stopBits) = self else { return nil }
        let parity = Parity.allCases.first { $0.letter == letter } ?? .none
        return LineSettings(baud: baud, dataBits: dataBits, parity: parity, stopBits: stopBits == 2 ? .two : .one)
    }

    /// True for `modem …` and `break`: signals of a real UART's control lines, which a PTY does not have.
    public var isModemEvent: Bool {
        switch self {
        case .modemLines, .breakSignal: true
        default: false
        }
    }
}
