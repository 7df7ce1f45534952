/// Block type numbers of the pcapng blocks devbridge reads and writes.
public enum PcapngBlockType {
    /// Section Header Block.
    public static let sectionHeader: UInt32 = 0x0A0D_0D0A
    /// Interface Description Block.
    public static let interfaceDescription: UInt32 = 1
    /// Enhanced Packet Block.
    public static let enhancedPacket: UInt32 = 6
    /// The byte-order magic of a Section Header Block.
    public static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
}

/// A pcapng option: a code and its raw value (unpadded).
public struct PcapngOption: Sendable, Equatable {
    /// `opt_comment` (any block): a UTF-8 comment.
    public static let comment: UInt16 = 1
    /// `shb_userappl`: the writing application.
    public static let userApplication: UInt16 = 4
    /// `if_name`.
    public static let interfaceName: UInt16 = 2
    /// `if_description`.
    public static let interfaceDescription: UInt16 = 3
    /// `if_tsresol`: 9 means nanoseconds.
    public static let timestampResolution: UInt16 = 9
    /// `epb_flags`: direction in bits 0–1.
    public static let packetFlags: UInt16 = 2

    /// The option code.
    public var code: UInt16
    /// The value bytes.
    public var value: [UInt8]

    /// Creates an option.
    public init(code: UInt16, value: [UInt8]) {
        self.code = code
        self.value = value
    }

    /// Creates a UTF-8 string option.
    public init(code: UInt16, text: String) {
        self.init(code: code, value: Array(text.utf8))
    }

    /// The `epb_flags` option carrying `direction`; nil for `.unknown` (event packets carry none).
    public static func flags(_ direction: TraceDirection) -> PcapngOption? {
        guard direction != .unknown else { return nil }
        return PcapngOption(code: packetFlags, value: PcapngEncoder.littleEndian(direction.flags))
    }

    /// The value as UTF-8 text.
    public var text: String { String(decoding: value, as: UTF8.self) }
}

/// A Section Header Block.
public struct PcapngSectionHeader: Sendable, Equatable {
    /// Major version (1).
    public var majorVersion: UInt16 = 1
    /// Minor version (0).
    public var minorVersion: UInt16 = 0
    /// Options (e.g. `shb_userappl`).
    public var options: [PcapngOption] = []

    /// Creates a section header.
    public init(options: [PcapngOption] = []) {
        self.options = options
    }
}

/// An Interface Description Block.
public struct PcapngInterface: Sendable, Equatable {
    /// The link type (147 = devbridge serial bytes, 148 = devbridge events).
    public var linkType: UInt16
    /// Maximum captured length; 0 means no limit.
    public var snapLength: UInt32
    /// Options (`if_name`, `if_description`, `if_tsresol`).
    public var options: [PcapngOption]

    /// Creates an interface; `name` becomes `if_name`, timestamps are in ns.
    public init(linkType: UInt16, name: String?, description: String? = nil, snapLength: UInt32 = 0) {
        self.linkType = linkType
        self.snapLength = snapLength
        var options: [PcapngOption] = []
        if let name { options.append(PcapngOption(code: PcapngOption.interfaceName, text: name)) }
        if let description { options.append(PcapngOption(code: PcapngOption.interfaceDescription, text: description)) }
        options.append(PcapngOption(code: PcapngOption.timestampResolution, value: [9]))
        self.options = options
    }

    /// Creates an interface from decoded fields.
    public init(linkType: UInt16, snapLength: UInt32, options: [PcapngOption]) {
        self.linkType = linkType
        self.snapLength = snapLength
        self.options = options
    }

    /// `if_name`, if present.
    public var name: String? { options.first { $0.code == PcapngOption.interfaceName }?.text }

    /// `if_description`, if present.
    public var interfaceDescription: String? {
        options.first { $0.code == PcapngOption.interfaceDescription }?.text
    }

    /// Timestamp units per second, from `if_tsresol` (default 10^6).
    public var unitsPerSecond: UInt64 {
        guard let raw = options.first(where: { $0.code == PcapngOption.timestampResolution })?.value.first else {
            return 1_000_000
        }
        let exponent = Int(raw & 0x7F)
        if raw & 0x80 != 0 { return exponent < 64 ? UInt64(1) << UInt64(exponent) : 1 }
        var value: UInt64 = 1
        for _ in 0..<min(exponent, 19) { value *= 10 }
        return value
    }
}

/// An Enhanced Packet Block.
public struct PcapngPacket: Sendable, Equatable {
    /// Index of the interface (order of IDBs in the section).
    public var interfaceID: UInt32
    /// Timestamp in the interface's units (ns for devbridge files).
    public var timestamp: UInt64
    /// Original length of the packet (≥ `data.count`).
    public var originalLength: UInt32
    /// The captured bytes.
    public var data: [UInt8]
    /// Options (`epb_flags`, `opt_comment`).
    public var options: [PcapngOption]

    /// Creates a packet; a non-unknown direction becomes `epb_flags`.
    public init(
        interfaceID: UInt32, timestamp: UInt64, data: [UInt8], direction: TraceDirection = .unknown,
        comment: String? = nil
    ) {
        self.interfaceID = interfaceID
        self.timestamp = timestamp
        self.originalLength = UInt32(clamping: data.count)
        self.data = data
        var options: [PcapngOption] = []
        if let comment { options.append(PcapngOption(code: PcapngOption.comment, text: comment)) }
        if let flags = PcapngOption.flags(direction) { options.append(flags) }
        self.options = options
    }

    /// Creates a packet from decoded fields.
    public init(interfaceID: UInt32, timestamp: UInt64, originalLength: UInt32, data: [UInt8], options: [PcapngOption])
    {
        self.interfaceID = interfaceID
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.data = data
        self.options = options
    }

    /// The direction from `epb_flags` (little-endian as devbridge writes it;
    /// the reader normalises big-endian files).
    public var direction: TraceDirection {
        guard let value = options.first(where: { $0.code == PcapngOption.packetFlags })?.value, value.count == 4 else {
            return .unknown
        }
        let flags = UInt32(value[0]) | UInt32(value[1]) << 8 | UInt32(value[2]) << 16 | UInt32(value[3]) << 24
        return TraceDirection(flags: flags)
    }

    /// The first `opt_comment`, if any.
    public var comment: String? { options.first { $0.code == PcapngOption.comment }?.text }
}

/// One pcapng block.
public enum PcapngBlock: Sendable, Equatable {
    /// A Section Header Block.
    case sectionHeader(PcapngSectionHeader)
    /// An Interface Description Block.
    case interfaceDescription(PcapngInterface)
    /// An Enhanced Packet Block.
    case enhancedPacket(PcapngPacket)
    /// Any other block, kept as its type and raw body.
    case other(type: UInt32, body: [UInt8])
}
