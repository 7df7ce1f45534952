import NIOCore

/// Something parsed from a telnet byte stream.
public enum TelnetEvent: Equatable, Sendable {
    /// Application data, IAC IAC already unescaped.
    case data(ByteBuffer)
    /// IAC WILL/WONT/DO/DONT option.
    case negotiation(verb: UInt8, option: UInt8)
    /// IAC SB option payload IAC SE, payload unescaped.
    case subnegotiation(option: UInt8, payload: [UInt8])
    /// Any other two-byte command (IAC NOP, IAC BRK, ...).
    case command(UInt8)
}

/// Incremental telnet parser (RFC 854). Pure: no I/O.
///
/// Robustness guarantees, for hostile or broken peers:
/// - Memory is bounded: a subnegotiation longer than `maxSubnegotiation`
///   bytes is discarded up to its IAC SE (or forever, for an endless one)
///   and counted in `discardedSubnegotiations`; nothing else is buffered
///   across calls except the state byte.
/// - IAC followed by anything other than IAC or SE inside a subnegotiation
///   aborts the subnegotiation (counted) and is parsed as a command.
/// - Data between commands is returned as slices of the input buffer, so
///   the common case (no IAC) costs one scan and no copy.
public struct TelnetParser: Sendable {
    enum State: Sendable {
        case data
        case iac
        case verb(UInt8)
        case subnegotiationOption
        case subnegotiation
        case subnegotiationIAC
    }

    /// Longest subnegotiation payload kept; longer ones are discarded.
    public let maxSubnegotiation: Int
    /// Subnegotiations dropped because they were too long or aborted.
    public private(set) var discardedSubnegotiations = 0

    private var state = State.data
    private var sbOption: UInt8 = 0
    private var sbPayload: [UInt8] = []
    private var sbOverflow = false

    /// Creates a parser keeping subnegotiations of up to `maxSubnegotiation` bytes.
    public init(maxSubnegotiation: Int = 256) {
        self.maxSubnegotiation = maxSubnegotiation
    }

    /// Bytes currently held for an unfinished subnegotiation (never above `maxSubnegotiation`).
    public var bufferedBytes: Int { sbPayload.count }

    /// Parses `buffer` (ByteBufferView indices are absolute buffer offsets),
    /// calling `emit` for each event in order.
    public mutating func parse(_ buffer: ByteBuffer, _ emit: (TelnetEvent) -> Void) {
        let view = buffer.readableBytesView
        var index = view.startIndex
        let end = view.endIndex
        while index < end {
            switch state {
            case .data:
                if let iacIndex = view[index...].firstIndex(of: Telnet.iac) {
                    if iacIndex > index {
                        emit(.data(buffer.getSlice(at: index, length: iacIndex - index)!))
                    }
                    state = .iac
                    index = iacIndex + 1
                } else {
                    emit(.data(buffer.getSlice(at: index, length: end - index)!))
                    index = end
                }
            case .iac:
                let byte = view[index]
                index += 1
                switch byte {
                case Telnet.iac:
                    emit(.data(ByteBuffer(bytes: [Telnet.iac])))
                    state = .data
                case Telnet.will, Telnet.wont, Telnet.do, Telnet.dont:
                    state = .verb(byte)
                case Telnet.sb:
                    state = .subnegotiationOption
                case Telnet.se:
                    state = .data  // stray SE: ignore
                default:
                    emit(.command(byte))
                    state = .data
                }
            case .verb(let verb):
                emit(.negotiation(verb: verb, option: view[index]))
                index += 1
                state = .data
            case .subnegotiationOption:
                let byte = view[index]
                index += 1
                if byte == Telnet.iac {
                    // IAC SB IAC ...: no option byte; treat as an aborted subnegotiation.
                    discardedSubnegotiations += 1
                    state = .iac
                } else {
                    sbOption = byte
                    sbPayload.removeAll(keepingCapacity: true)
                    sbOverflow = false
                    state = .subnegotiation
                }
            case .subnegotiation:
                let byte = view[index]
                index += 1
                if byte == Telnet.iac {
                    state = .subnegotiationIAC
                } else {
                    append(byte)
                }
            case .subnegotiationIAC:
                let byte = view[index]
                index += 1
                switch byte {
                case Telnet.iac:
                    append(byte)
                    state = .subnegotiation
                case Telnet.se:
                    if sbOverflow {
                        discardedSubnegotiations += 1
                    } else {
                        emit(.subnegotiation(option: sbOption, payload: sbPayload))
                    }
                    sbPayload.removeAll(keepingCapacity: sbPayload.capacity <= maxSubnegotiation)
                    state = .data
                default:
                    // Truncated subnegotiation: drop it and read this as a command.
                    discardedSubnegotiations += 1
                    sbPayload.removeAll()
                    state = .iac
                    index -= 1
                }
            }
        }
    }

    private mutating func append(_ byte: UInt8) {
        if sbPayload.count < maxSubnegotiation {
            sbPayload.append(byte)
        } else {
            sbOverflow = true
        }
    }
}

extension ByteBuffer {
    /// Writes `bytes` with every IAC doubled (telnet data escaping).
    mutating func writeTelnetEscaped(_ source: ByteBuffer) {
        let view = source.readableBytesView
        var start = view.startIndex
        while let iacIndex = view[start...].firstIndex(of: Telnet.iac) {
            writeBytes(view[start...iacIndex])
            writeInteger(Telnet.iac)
            start = iacIndex + 1
        }
        writeBytes(view[start...])
    }
}
