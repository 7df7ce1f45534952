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
/// Pull-based: ``next(_:)`` consumes the input buffer up to one event and
/// returns it, so a caller never runs code of its own while the parser is
/// being mutated (a handler further down a pipeline may re-enter the codec).
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

    /// Parses all of `buffer`, calling `emit` for each event in order.
    ///
    /// A convenience for tests and tools; a channel handler uses ``next(_:)``
    /// so that none of its own code runs while the parser is mutated.
    public mutating func parse(_ buffer: ByteBuffer, _ emit: (TelnetEvent) -> Void) {
        var input = buffer
        while let event = next(&input) { emit(event) }
    }

    /// Consumes `input` up to the end of the next event and returns it; nil
    /// once `input` is used up (a partial command is kept as parser state).
    ///
    /// Data comes back as slices of `input` (an escaped IAC as a one-byte
    /// slice), so a caller that keeps data should mind what a slice retains.
    public mutating func next(_ input: inout ByteBuffer) -> TelnetEvent? {
        while let byte = input.getInteger(at: input.readerIndex, as: UInt8.self) {
            switch state {
            case .data:
                let view = input.readableBytesView
                let run = (view.firstIndex(of: Telnet.iac) ?? view.endIndex) - view.startIndex
                if run > 0 { return .data(input.readSlice(length: run)!) }
                input.moveReaderIndex(forwardBy: 1)
                state = .iac
            case .iac:
                state = .data
                switch byte {
                case Telnet.iac:
                    return .data(input.readSlice(length: 1)!)  // IAC IAC: the second one is the data byte
                case Telnet.will, Telnet.wont, Telnet.do, Telnet.dont:
                    state = .verb(byte)
                case Telnet.sb:
                    state = .subnegotiationOption
                case Telnet.se:
                    break  // stray SE: ignore
                default:
                    input.moveReaderIndex(forwardBy: 1)
                    return .command(byte)
                }
                input.moveReaderIndex(forwardBy: 1)
            case .verb(let verb):
                input.moveReaderIndex(forwardBy: 1)
                state = .data
                return .negotiation(verb: verb, option: byte)
            case .subnegotiationOption:
                input.moveReaderIndex(forwardBy: 1)
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
                let view = input.readableBytesView
                let iacIndex = view.firstIndex(of: Telnet.iac)
                append(view[view.startIndex..<(iacIndex ?? view.endIndex)])
                input.moveReaderIndex(to: iacIndex.map { $0 + 1 } ?? view.endIndex)
                if iacIndex != nil { state = .subnegotiationIAC }
            case .subnegotiationIAC:
                switch byte {
                case Telnet.iac:
                    input.moveReaderIndex(forwardBy: 1)
                    append(CollectionOfOne(byte))
                    state = .subnegotiation
                case Telnet.se:
                    input.moveReaderIndex(forwardBy: 1)
                    state = .data
                    let payload = sbPayload
                    sbPayload.removeAll(keepingCapacity: sbPayload.capacity <= maxSubnegotiation)
                    if sbOverflow {
                        discardedSubnegotiations += 1
                    } else {
                        return .subnegotiation(option: sbOption, payload: payload)
                    }
                default:
                    // Truncated subnegotiation: drop it and read this byte as a command (not consumed).
                    discardedSubnegotiations += 1
                    sbPayload.removeAll()
                    state = .iac
                }
            }
        }
        return nil
    }

    /// Keeps payload bytes up to `maxSubnegotiation`; beyond that, marks the subnegotiation as overflowed.
    private mutating func append(_ bytes: some Collection<UInt8>) {
        let room = maxSubnegotiation - sbPayload.count
        if bytes.count > room {
            sbPayload.append(contentsOf: bytes.prefix(room))
            sbOverflow = true
        } else {
            sbPayload.append(contentsOf: bytes)
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
