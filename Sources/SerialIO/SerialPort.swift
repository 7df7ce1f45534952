import CLinuxSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Flow control of a serial line.
public enum FlowControl: Sendable, Equatable, Hashable {
    /// None.
    case none
    /// XON/XOFF (IXON and IXOFF).
    case software
    /// RTS/CTS (CRTSCTS).
    case hardware
}

/// Modem control and status lines (TIOCM bits).
public struct ModemLines: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    /// Creates lines from TIOCM bits.
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// DTR (output).
    public static let dataTerminalReady = ModemLines(rawValue: Int32(DEVBRIDGE_TIOCM_DTR))
    /// RTS (output).
    public static let requestToSend = ModemLines(rawValue: Int32(DEVBRIDGE_TIOCM_RTS))
    /// CTS (input).
    public static let clearToSend = ModemLines(rawValue: Int32(DEVBRIDGE_TIOCM_CTS))
    /// DSR (input).
    public static let dataSetReady = ModemLines(rawValue: Int32(DEVBRIDGE_TIOCM_DSR))
    /// DCD (input).
    public static let carrierDetect = ModemLines(rawValue: Int32(DEVBRIDGE_TIOCM_CD))
    /// RI (input).
    public static let ringIndicator = ModemLines(rawValue: Int32(DEVBRIDGE_TIOCM_RI))
}

/// A UART's cumulative receive error counters (TIOCGICOUNT).
public struct LineErrorCounts: Sendable, Hashable {
    /// Framing errors.
    public var framing: Int
    /// Hardware overruns.
    public var overrun: Int
    /// Parity errors.
    public var parity: Int
    /// BREAK conditions received.
    public var breaks: Int
    /// Bytes lost because the tty buffer was full.
    public var bufferOverrun: Int

    /// Creates counters.
    public init(framing: Int = 0, overrun: Int = 0, parity: Int = 0, breaks: Int = 0, bufferOverrun: Int = 0) {
        self.framing = framing
        self.overrun = overrun
        self.parity = parity
        self.breaks = breaks
        self.bufferOverrun = bufferOverrun
    }
}

/// A tty opened by path: a real serial port (/dev/ttyUSB0) or a PTY slave
/// (a link made by `devbridge sim`). Thin, synchronous wrappers over termios2
/// and TIOCM*; nothing here blocks (the port is opened O_NONBLOCK).
/// Not thread-safe: use it from one thread (the export's event loop).
public final class SerialPort {
    /// The path it was opened by.
    public let path: String
    /// The descriptor, until ``close()``.
    public private(set) var fileDescriptor: Int32

    private init(path: String, fileDescriptor: Int32) {
        self.path = path
        self.fileDescriptor = fileDescriptor
    }

    deinit { close() }

    /// Opens `path` read-write, non-blocking, without becoming its controlling
    /// terminal. With `exclusive`, TIOCEXCL keeps other processes out.
    /// Opening never changes DTR/RTS beyond what the kernel does on first open.
    public static func open(path: String, exclusive: Bool = false) throws(SerialIOError) -> SerialPort {
        let fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw SerialIOError(
                code: .openFailed, message: "cannot open serial device \(path)", path: path, errno: errno)
        }
        guard isatty(fd) == 1 else {
            Glibc.close(fd)
            throw SerialIOError(
                code: .notATerminal, message: "\(path) is not a terminal (tty)", path: path, errno: ENOTTY)
        }
        let port = SerialPort(path: path, fileDescriptor: fd)
        if exclusive {
            let rc = devbridge_tty_exclusive(fd, 1)
            guard rc == 0 else { throw port.controlError("cannot take \(path) for exclusive use (TIOCEXCL)", rc) }
        }
        return port
    }

    /// Two new descriptors for the same open tty (for NIO's input and output sides).
    public func duplicateDescriptors() throws(SerialIOError) -> (input: Int32, output: Int32) {
        let input = fcntl(fileDescriptor, F_DUPFD_CLOEXEC, 0)
        guard input >= 0 else { throw duplicateError(errno: errno) }
        let output = fcntl(fileDescriptor, F_DUPFD_CLOEXEC, 0)
        guard output >= 0 else {
            let code = errno
            Glibc.close(input)
            throw duplicateError(errno: code)
        }
        return (input, output)
    }

    /// Baud, data bits, parity and stop bits in force (TCGETS2).
    public func lineSettings() throws(SerialIOError) -> LineSettings {
        try LineSettings.read(fileDescriptor: fileDescriptor, path: path)
    }

    /// Sets the line settings (any baud); with `makeRaw` also raw mode.
    public func setLineSettings(_ settings: LineSettings, makeRaw: Bool) throws(SerialIOError) {
        try settings.apply(fileDescriptor: fileDescriptor, makeRaw: makeRaw, path: path)
    }

    /// Flow control in force.
    public func flowControl() throws(SerialIOError) -> FlowControl {
        var mode: Int32 = 0
        let rc = devbridge_flow_control_get(fileDescriptor, &mode)
        guard rc == 0 else { throw controlError("cannot read flow control of \(path)", rc) }
        switch Int(mode) {
        case DEVBRIDGE_FLOW_HARDWARE: return .hardware
        case DEVBRIDGE_FLOW_SOFTWARE: return .software
        default: return .none
        }
    }

    /// Sets flow control.
    public func setFlowControl(_ flow: FlowControl) throws(SerialIOError) {
        let mode: Int32 =
            switch flow {
            case .none: Int32(DEVBRIDGE_FLOW_NONE)
            case .software: Int32(DEVBRIDGE_FLOW_SOFTWARE)
            case .hardware: Int32(DEVBRIDGE_FLOW_HARDWARE)
            }
        let rc = devbridge_flow_control_set(fileDescriptor, mode)
        guard rc == 0 else { throw controlError("cannot set flow control \(flow) on \(path)", rc) }
    }

    /// Modem lines (TIOCMGET). PTYs have none: this throws there.
    public func modemLines() throws(SerialIOError) -> ModemLines {
        var bits: Int32 = 0
        let rc = devbridge_modem_lines_get(fileDescriptor, &bits)
        guard rc == 0 else { throw controlError("cannot read modem lines of \(path) (TIOCMGET)", rc) }
        return ModemLines(rawValue: bits)
    }

    /// Receive error counters (TIOCGICOUNT). PTYs and many USB adapters keep none: this throws there.
    public func lineErrorCounts() throws(SerialIOError) -> LineErrorCounts {
        var counts = devbridge_line_errors()
        let rc = devbridge_line_errors_get(fileDescriptor, &counts)
        guard rc == 0 else { throw controlError("cannot read error counters of \(path) (TIOCGICOUNT)", rc) }
        return LineErrorCounts(
            framing: Int(counts.frame), overrun: Int(counts.overrun), parity: Int(counts.parity),
            breaks: Int(counts.brk), bufferOverrun: Int(counts.buf_overrun))
    }

    /// Raises or lowers DTR and/or RTS (nil leaves a line as it is).
    public func setModemLines(dtr: Bool?, rts: Bool?) throws(SerialIOError) {
        var lines = try modemLines()
        if let dtr { if dtr { lines.insert(.dataTerminalReady) } else { lines.remove(.dataTerminalReady) } }
        if let rts { if rts { lines.insert(.requestToSend) } else { lines.remove(.requestToSend) } }
        let rc = devbridge_modem_lines_set(fileDescriptor, lines.rawValue)
        guard rc == 0 else { throw controlError("cannot set modem lines of \(path) (TIOCMSET)", rc) }
    }

    /// Starts (true) or ends a BREAK condition (TIOCSBRK/TIOCCBRK).
    public func setBreak(_ on: Bool) throws(SerialIOError) {
        let rc = devbridge_break_set(fileDescriptor, on ? 1 : 0)
        guard rc == 0 else { throw controlError("cannot \(on ? "start" : "end") BREAK on \(path)", rc) }
    }

    /// Clears HUPCL so closing (or a reopen) does not drop DTR/RTS.
    public func disableHangupOnClose() {
        _ = devbridge_hupcl_set(fileDescriptor, 0)
    }

    /// Bytes received and not yet read (FIONREAD); 0 if the tty cannot say.
    public func inputQueueLength() -> Int {
        max(0, Int(devbridge_input_queue_length(fileDescriptor)))
    }

    /// Discards bytes written and not yet transmitted (tcflush TCOFLUSH).
    ///
    /// There is no input counterpart on purpose: under an event loop that
    /// watches the tty, tcflush can take away bytes epoll has already reported
    /// readable. Discard input by dropping ``inputQueueLength()`` bytes as they
    /// are read instead.
    public func discardOutput() {
        tcflush(fileDescriptor, TCOFLUSH)
    }

    /// A ``SerialIOError/Code/controlFailed`` for a CLinuxSupport call that returned `-errno`.
    private func controlError(_ message: String, _ rc: Int32) -> SerialIOError {
        SerialIOError(code: .controlFailed, message: message, path: path, errno: -rc)
    }

    private func duplicateError(errno: Int32) -> SerialIOError {
        SerialIOError(
            code: .openFailed, message: "cannot duplicate the descriptor of \(path)", path: path, errno: errno)
    }

    /// Closes the descriptor. Idempotent.
    public func close() {
        guard fileDescriptor >= 0 else { return }
        Glibc.close(fileDescriptor)
        fileDescriptor = -1
    }
}
