import SerialBridge

/// A device stand-in that records what the RFC 2217 handler asked for and
/// behaves like a PTY: it keeps only 8 data bits and no parity.
final class FakeComPortTarget: ComPortTarget {
    var baud: UInt32 = 9600
    var dataSize: UInt8 = 8
    var stopSize: UInt8 = 1
    var dtr = true
    var rts = true
    var breakOn = false
    var purges: [UInt8] = []
    var controls: [UInt8] = []
    var lines: UInt8 = 0

    func comPortSetBaud(_ baud: UInt32?) -> UInt32 {
        if let baud { self.baud = baud }
        return self.baud
    }
    func comPortSetDataSize(_ size: UInt8?) -> UInt8 { dataSize }
    func comPortSetParity(_ parity: UInt8?) -> UInt8 { 1 }
    func comPortSetStopSize(_ size: UInt8?) -> UInt8 {
        if let size, size == 1 || size == 2 { stopSize = size }
        return stopSize
    }
    func comPortControl(_ value: UInt8) -> UInt8 {
        controls.append(value)
        switch value {
        case 5: breakOn = true
        case 6: breakOn = false
        case 8: dtr = true
        case 9: dtr = false
        case 11: rts = true
        case 12: rts = false
        default: break
        }
        switch value {
        case 0...3: return 1
        case 4...6: return breakOn ? 5 : 6
        case 7...9: return dtr ? 8 : 9
        case 10...12: return rts ? 11 : 12
        default: return 14
        }
    }
    func comPortPurge(_ value: UInt8) { purges.append(value) }
    func comPortModemLines() -> UInt8 { lines }
}
