/// Encodes pcapng blocks to bytes (little-endian). Pure.
public enum PcapngEncoder {
    /// The bytes of one block, framed with its type and total length twice.
    public static func encode(_ block: PcapngBlock) -> [UInt8] {
        switch block {
        case .sectionHeader(let header):
            var body = littleEndian(PcapngBlockType.byteOrderMagic)
            body += littleEndian(header.majorVersion)
            body += littleEndian(header.minorVersion)
            body += littleEndian(UInt64.max)  // section length -1: not specified
            body += encode(options: header.options)
            return frame(type: PcapngBlockType.sectionHeader, body: body)
        case .interfaceDescription(let interface):
            var body = littleEndian(interface.linkType)
            body += littleEndian(UInt16(0))
            body += littleEndian(interface.snapLength)
            body += encode(options: interface.options)
            return frame(type: PcapngBlockType.interfaceDescription, body: body)
        case .enhancedPacket(let packet):
            var body = littleEndian(packet.interfaceID)
            body += littleEndian(UInt32(truncatingIfNeeded: packet.timestamp >> 32))
            body += littleEndian(UInt32(truncatingIfNeeded: packet.timestamp))
            body += littleEndian(UInt32(clamping: packet.data.count))
            body += littleEndian(packet.originalLength)
            body += packet.data
            body += padding(packet.data.count)
            body += encode(options: packet.options)
            return frame(type: PcapngBlockType.enhancedPacket, body: body)
        case .other(let type, let body):
            return frame(type: type, body: body + padding(body.count))
        }
    }

    /// Options followed by `opt_endofopt`; nothing when there are none.
    static func encode(options: [PcapngOption]) -> [UInt8] {
        guard !options.isEmpty else { return [] }
        var bytes: [UInt8] = []
        for option in options {
            bytes += littleEndian(option.code)
            bytes += littleEndian(UInt16(clamping: option.value.count))
            bytes += option.value
            bytes += padding(option.value.count)
        }
        bytes += [0, 0, 0, 0]
        return bytes
    }

    static func frame(type: UInt32, body: [UInt8]) -> [UInt8] {
        let total = UInt32(body.count + 12)
        var bytes = littleEndian(type)
        bytes.reserveCapacity(body.count + 12)
        bytes += littleEndian(total)
        bytes += body
        bytes += littleEndian(total)
        return bytes
    }

    static func padding(_ count: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: (4 - count % 4) % 4)
    }

    /// Little-endian bytes of an integer.
    public static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
