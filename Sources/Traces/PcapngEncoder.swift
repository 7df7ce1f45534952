/// Encodes pcapng blocks to bytes (little-endian). Pure.
///
/// Every encoder appends to a caller's buffer, so a writer encodes straight
/// into its pending bytes with no intermediate arrays; ``encode(_:)`` is the
/// convenience that returns a block's bytes on their own.
public enum PcapngEncoder {
    /// The bytes of one block, framed with its type and total length twice.
    public static func encode(_ block: PcapngBlock) -> [UInt8] {
        var bytes: [UInt8] = []
        append(block, to: &bytes)
        return bytes
    }

    /// Appends the bytes of one block to `bytes`.
    public static func append(_ block: PcapngBlock, to bytes: inout [UInt8]) {
        switch block {
        case .sectionHeader(let header):
            appendFrame(type: PcapngBlockType.sectionHeader, bodyLength: 16 + length(of: header.options), to: &bytes) {
                appendInteger(PcapngBlockType.byteOrderMagic, to: &$0)
                appendInteger(header.majorVersion, to: &$0)
                appendInteger(header.minorVersion, to: &$0)
                appendInteger(UInt64.max, to: &$0)  // section length -1: not specified
                append(options: header.options, to: &$0)
            }
        case .interfaceDescription(let interface):
            appendFrame(
                type: PcapngBlockType.interfaceDescription, bodyLength: 8 + length(of: interface.options), to: &bytes
            ) {
                appendInteger(interface.linkType, to: &$0)
                appendInteger(UInt16(0), to: &$0)
                appendInteger(interface.snapLength, to: &$0)
                append(options: interface.options, to: &$0)
            }
        case .enhancedPacket(let packet):
            packet.data.withUnsafeBytes { data in
                appendPacket(
                    interfaceID: packet.interfaceID, timestamp: packet.timestamp,
                    originalLength: packet.originalLength, data: data, options: packet.options, to: &bytes)
            }
        case .other(let type, let body):
            appendFrame(type: type, bodyLength: body.count + paddingLength(body.count), to: &bytes) {
                $0 += body
                appendPadding(body.count, to: &$0)
            }
        }
    }

    /// Appends an Enhanced Packet Block carrying `data` with a direction
    /// (`epb_flags`) and no other options: what a recorder writes for every
    /// chunk of traffic, without first copying the chunk into a ``PcapngPacket``.
    public static func appendPacket(
        interfaceID: UInt32, timestamp: UInt64, direction: TraceDirection, data: UnsafeRawBufferPointer,
        to bytes: inout [UInt8]
    ) {
        appendPacket(
            interfaceID: interfaceID, timestamp: timestamp, originalLength: UInt32(clamping: data.count), data: data,
            options: PcapngOption.flags(direction).map { [$0] } ?? [], to: &bytes)
    }

    private static func appendPacket(
        interfaceID: UInt32, timestamp: UInt64, originalLength: UInt32, data: UnsafeRawBufferPointer,
        options: [PcapngOption], to bytes: inout [UInt8]
    ) {
        let bodyLength = 20 + data.count + paddingLength(data.count) + length(of: options)
        appendFrame(type: PcapngBlockType.enhancedPacket, bodyLength: bodyLength, to: &bytes) {
            appendInteger(interfaceID, to: &$0)
            appendInteger(UInt32(truncatingIfNeeded: timestamp >> 32), to: &$0)
            appendInteger(UInt32(truncatingIfNeeded: timestamp), to: &$0)
            appendInteger(UInt32(clamping: data.count), to: &$0)
            appendInteger(originalLength, to: &$0)
            $0.append(contentsOf: data)
            appendPadding(data.count, to: &$0)
            append(options: options, to: &$0)
        }
    }

    /// Options followed by `opt_endofopt`; nothing when there are none.
    static func append(options: [PcapngOption], to bytes: inout [UInt8]) {
        guard !options.isEmpty else { return }
        for option in options {
            appendInteger(option.code, to: &bytes)
            appendInteger(UInt16(clamping: option.value.count), to: &bytes)
            bytes += option.value
            appendPadding(option.value.count, to: &bytes)
        }
        bytes += [0, 0, 0, 0]
    }

    /// The encoded length of `options` (with `opt_endofopt`).
    static func length(of options: [PcapngOption]) -> Int {
        guard !options.isEmpty else { return 0 }
        return options.reduce(4) { $0 + 4 + $1.value.count + paddingLength($1.value.count) }
    }

    /// Type, total length, the body `appendBody` writes (`bodyLength` bytes), total length again.
    static func appendFrame(
        type: UInt32, bodyLength: Int, to bytes: inout [UInt8], _ appendBody: (inout [UInt8]) -> Void
    ) {
        let total = UInt32(bodyLength + 12)
        bytes.reserveCapacity(bytes.count + Int(total))
        appendInteger(type, to: &bytes)
        appendInteger(total, to: &bytes)
        let start = bytes.count
        appendBody(&bytes)
        assert(bytes.count - start == bodyLength, "pcapng body length mismatch")
        appendInteger(total, to: &bytes)
    }

    static func paddingLength(_ count: Int) -> Int { (4 - count % 4) % 4 }

    static func appendPadding(_ count: Int, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: repeatElement(0, count: paddingLength(count)))
    }

    static func appendInteger<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Little-endian bytes of an integer.
    public static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
