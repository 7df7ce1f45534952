import SerialIO
import Traces

/// RFC 2217 settings and controls: applied to the open port and remembered for
/// the next reopen; while the device is absent they are acknowledged as the
/// values that will be in force.
extension SerialDevice: ComPortTarget {
    private func current() -> LineSettings {
        if let port, let settings = try? port.lineSettings() { return settings }
        return wanted ?? .default9600
    }

    private func update(_ change: (inout LineSettings) -> Void) -> LineSettings {
        var settings = current()
        change(&settings)
        guard (try? settings.validate()) != nil else { return current() }
        wanted = settings
        if let port { try? port.setLineSettings(settings, makeRaw: false) }
        let now = current()
        trace?.note(
            .lineSettings(
                baud: now.baud, dataBits: now.dataBits, parity: now.parity.letter, stopBits: now.stopBits.rawValue))
        return now
    }

    /// The line settings in force (the tty's, or those it will get when it opens).
    var lineSettingsInForce: LineSettings { current() }

    /// Applies whole line settings (an endpoint's client changed them); returns those in force.
    func apply(_ settings: LineSettings) -> LineSettings { update { $0 = settings } }

    func comPortSetBaud(_ baud: UInt32?) -> UInt32 {
        guard let baud else { return UInt32(clamping: current().baud) }
        return UInt32(clamping: update { $0.baud = Int(baud) }.baud)
    }

    func comPortSetDataSize(_ size: UInt8?) -> UInt8 {
        guard let size, (5...8).contains(size) else { return UInt8(current().dataBits) }
        return UInt8(update { $0.dataBits = Int(size) }.dataBits)
    }

    func comPortSetParity(_ code: UInt8?) -> UInt8 {
        if let parity = code.flatMap(Parity.init(comPortCode:)) { _ = update { $0.parity = parity } }
        return current().parity.comPortCode
    }

    func comPortSetStopSize(_ size: UInt8?) -> UInt8 {
        if let size, size == 1 || size == 2 {
            _ = update { $0.stopBits = size == 1 ? .one : .two }
        }
        return UInt8(current().stopBits.rawValue)
    }

    func comPortControl(_ value: UInt8) -> UInt8 {
        switch value {
        case 0...3, 17...19:
            if let flow: FlowControl = [1: .none, 2: .software, 3: .hardware][value] {
                wantedFlow = flow
                try? port?.setFlowControl(flow)
            }
            let flow = (try? port?.flowControl()) ?? wantedFlow ?? FlowControl.none
            return [FlowControl.none: 1, .software: 2, .hardware: 3][flow]!
        case 4...6:
            if value != 4 {
                breakOn = value == 5
                try? port?.setBreak(breakOn)
                if breakOn { trace?.note(.breakSignal) }
            }
            return breakOn ? 5 : 6
        case 7...9:
            if value != 7 {
                dtr = value == 8
                try? port?.setModemLines(dtr: dtr, rts: nil)
                trace?.note(.modemLines(dtr: dtr, rts: nil))
            }
            return lineState(.dataTerminalReady, shadow: dtr) ? 8 : 9
        case 10...12:
            if value != 10 {
                rts = value == 11
                try? port?.setModemLines(dtr: nil, rts: rts)
                trace?.note(.modemLines(dtr: nil, rts: rts))
            }
            return lineState(.requestToSend, shadow: rts) ? 11 : 12
        case 13...16:
            if value != 13 {
                let flow: FlowControl = [14: .none, 15: .software, 16: .hardware][value]!
                wantedFlow = flow
                try? port?.setFlowControl(flow)
            }
            let flow = (try? port?.flowControl()) ?? wantedFlow ?? FlowControl.none
            return [FlowControl.none: 14, .software: 15, .hardware: 16][flow]!
        default:
            return value
        }
    }

    private func lineState(_ line: ModemLines, shadow: Bool?) -> Bool {
        if let port, let lines = try? port.modemLines() { return lines.contains(line) }
        return shadow ?? true
    }

    func comPortPurge(_ value: UInt8) {
        guard let port else { return }
        // The receive buffer is purged by dropping, as they are read, the bytes the tty holds now.
        // tcflush(TCIFLUSH) would take away bytes epoll may already have reported to NIO as readable.
        if value & 1 != 0 { purgedInput = port.inputQueueLength() }
        if value & 2 != 0 { port.discardOutput() }
    }

    func comPortModemLines() -> UInt8 { port == nil ? 0 : currentModemNibble() }
}
