/// The blocks of a pcapng file, and a warning when its end was damaged.
public struct PcapngReadResult: Sendable, Equatable {
    /// Every whole block, in file order.
    public var blocks: [PcapngBlock]
    /// Set when the file ends inside a block (e.g. a recorder was killed) or
    /// a later block is damaged: reading stopped at the last whole block.
    public var warning: String?
    /// Bytes of the file that make up whole blocks.
    public var validLength: Int
}

/// A tolerant pcapng decoder. Pure: works on bytes.
///
/// A damaged *first* block (not a pcapng file, bad byte-order magic,
/// unsupported version) throws a `TraceError`; a file that merely ends early
/// (truncated at any byte, including inside the first header) or has a
/// damaged later block returns the whole blocks before it and a `warning`.
public enum PcapngReader {
    /// Decodes `bytes`; `path` only names the file in messages.
    public static func read(_ bytes: [UInt8], path: String? = nil) throws(TraceError) -> PcapngReadResult {
        let name = path ?? "trace"
        try checkStart(bytes, name: name)
        guard !bytes.isEmpty else {
            return PcapngReadResult(
                blocks: [], warning: "\(name): empty file (truncated before its section header)", validLength: 0)
        }
        var blocks: [PcapngBlock] = []
        var offset = 0
        var bigEndian = false
        var warning: String?
        while offset < bytes.count {
            let remaining = bytes.count - offset
            if remaining < 12 {
                warning =
                    "\(name): truncated at byte \(bytes.count): the last block is incomplete; read \(blocks.count) whole blocks"
                break
            }
            let typeLE = u32(bytes, offset, bigEndian: false)
            if typeLE == PcapngBlockType.sectionHeader {
                let magicLE = u32(bytes, offset + 8, bigEndian: false)
                if magicLE == PcapngBlockType.byteOrderMagic {
                    bigEndian = false
                } else if magicLE == PcapngBlockType.byteOrderMagic.byteSwapped {
                    bigEndian = true
                } else {
                    if blocks.isEmpty {
                        throw TraceError(
                            code: .corruptHeader,
                            message: "\(name): corrupt pcapng section header (bad byte-order magic)", path: path)
                    }
                    warning = "\(name): damaged section header at byte \(offset); read \(blocks.count) whole blocks"
                    break
                }
            }
            let type = u32(bytes, offset, bigEndian: bigEndian)
            let length = Int(u32(bytes, offset + 4, bigEndian: bigEndian))
            guard length >= 12, length % 4 == 0 else {
                if blocks.isEmpty {
                    throw TraceError(
                        code: .corruptHeader,
                        message: "\(name): corrupt pcapng section header (block length \(length))",
                        path: path)
                }
                warning =
                    "\(name): damaged block at byte \(offset) (length \(length)); read \(blocks.count) whole blocks"
                break
            }
            guard length <= remaining else {
                warning =
                    "\(name): truncated at byte \(bytes.count): the last block is incomplete; read \(blocks.count) whole blocks"
                break
            }
            let trailer = Int(u32(bytes, offset + length - 4, bigEndian: bigEndian))
            guard trailer == length else {
                if blocks.isEmpty {
                    throw TraceError(
                        code: .corruptHeader, message: "\(name): corrupt pcapng section header (length mismatch)",
                        path: path)
                }
                warning =
                    "\(name): damaged block at byte \(offset) (length mismatch); read \(blocks.count) whole blocks"
                break
            }
            let body = Array(bytes[(offset + 8)..<(offset + length - 4)])
            if let block = decode(type: type, body: body, bigEndian: bigEndian) {
                if case .sectionHeader(let header) = block, header.majorVersion != 1 {
                    throw TraceError(
                        code: .unsupportedVersion,
                        message: "\(name): unsupported pcapng version \(header.majorVersion).\(header.minorVersion)",
                        path: path)
                }
                blocks.append(block)
            } else {
                warning =
                    "\(name): malformed block of type \(type) at byte \(offset); read \(blocks.count) whole blocks"
                break
            }
            offset += length
        }
        let valid = blocks.isEmpty ? 0 : offset
        return PcapngReadResult(blocks: blocks, warning: warning, validLength: valid)
    }

    /// Throws unless `bytes` starts like a pcapng file (a prefix of one is accepted).
    static func checkStart(_ bytes: [UInt8], name: String) throws(TraceError) {
        let shb: [UInt8] = [0x0A, 0x0D, 0x0D, 0x0A]
        for index in 0..<min(4, bytes.count) where bytes[index] != shb[index] {
            throw TraceError(
                code: .notPcapng, message: "\(name): not a pcapng file (no section header block at the start)",
                path: name)
        }
        if bytes.count >= 12 {
            let magic = u32(bytes, 8, bigEndian: false)
            guard magic == PcapngBlockType.byteOrderMagic || magic == PcapngBlockType.byteOrderMagic.byteSwapped else {
                throw TraceError(
                    code: .corruptHeader, message: "\(name): corrupt pcapng section header (bad byte-order magic)",
                    path: name)
            }
        }
    }

    static func decode(type: UInt32, body: [UInt8], bigEndian: Bool) -> PcapngBlock? {
        switch type {
        case PcapngBlockType.sectionHeader:
            guard body.count >= 16 else { return nil }
            guard let options = decodeOptions(body, from: 16, bigEndian: bigEndian, flagsCode: nil) else { return nil }
            var header = PcapngSectionHeader(options: options)
            header.majorVersion = u16(body, 4, bigEndian: bigEndian)
            header.minorVersion = u16(body, 6, bigEndian: bigEndian)
            return .sectionHeader(header)
        case PcapngBlockType.interfaceDescription:
            guard body.count >= 8 else { return nil }
            guard let options = decodeOptions(body, from: 8, bigEndian: bigEndian, flagsCode: nil) else { return nil }
            return .interfaceDescription(
                PcapngInterface(
                    linkType: u16(body, 0, bigEndian: bigEndian), snapLength: u32(body, 4, bigEndian: bigEndian),
                    options: options))
        case PcapngBlockType.enhancedPacket:
            guard body.count >= 20 else { return nil }
            let captured = Int(u32(body, 12, bigEndian: bigEndian))
            let padded = captured + (4 - captured % 4) % 4
            guard 20 + padded <= body.count else { return nil }
            guard
                let options = decodeOptions(
                    body, from: 20 + padded, bigEndian: bigEndian, flagsCode: PcapngOption.packetFlags)
            else { return nil }
            let timestamp =
                UInt64(u32(body, 4, bigEndian: bigEndian)) << 32 | UInt64(u32(body, 8, bigEndian: bigEndian))
            return .enhancedPacket(
                PcapngPacket(
                    interfaceID: u32(body, 0, bigEndian: bigEndian), timestamp: timestamp,
                    originalLength: u32(body, 16, bigEndian: bigEndian), data: Array(body[20..<(20 + captured)]),
                    options: options))
        default:
            return .other(type: type, body: body)
        }
    }

    /// Options from `start` to the end of `body`; `flagsCode`'s 4-byte value is
    /// normalised to little-endian. Nil when an option overruns the block.
    static func decodeOptions(_ body: [UInt8], from start: Int, bigEndian: Bool, flagsCode: UInt16?) -> [PcapngOption]?
    {
        var options: [PcapngOption] = []
        var offset = start
        while offset + 4 <= body.count {
            let code = u16(body, offset, bigEndian: bigEndian)
            let length = Int(u16(body, offset + 2, bigEndian: bigEndian))
            if code == 0 { break }
            guard offset + 4 + length <= body.count else { return nil }
            var value = Array(body[(offset + 4)..<(offset + 4 + length)])
            if bigEndian, code == flagsCode, value.count == 4 { value.reverse() }
            options.append(PcapngOption(code: code, value: value))
            offset += 4 + length + (4 - length % 4) % 4
        }
        return options
    }

    static func u32(_ bytes: [UInt8], _ offset: Int, bigEndian: Bool) -> UInt32 {
        let b0 = UInt32(bytes[offset])
        let b1 = UInt32(bytes[offset + 1])
        let b2 = UInt32(bytes[offset + 2])
        let b3 = UInt32(bytes[offset + 3])
        return bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0
    }

    static func u16(_ bytes: [UInt8], _ offset: Int, bigEndian: Bool) -> UInt16 {
        let b0 = UInt16(bytes[offset])
        let b1 = UInt16(bytes[offset + 1])
        return bigEndian ? b0 << 8 | b1 : b1 << 8 | b0
    }
}
