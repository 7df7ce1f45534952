#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One packet of a trace, resolved against its interface.
public struct TraceRecord: Sendable, Equatable {
    /// `if_name` of the packet's interface (`events` for events).
    public var interface: String
    /// The interface's link type.
    public var linkType: UInt16
    /// Nanoseconds since the Unix epoch.
    public var timestamp: UInt64
    /// Direction from `epb_flags`.
    public var direction: TraceDirection
    /// The packet bytes.
    public var data: [UInt8]
    /// For packets on an events interface: the endpoint it concerns and the event.
    public var event: (interface: String, event: TraceEvent)? {
        linkType == TraceLinkType.events ? TraceEvent.parse(payload: data) : nil
    }

    /// Creates a record.
    public init(interface: String, linkType: UInt16, timestamp: UInt64, direction: TraceDirection, data: [UInt8]) {
        self.interface = interface
        self.linkType = linkType
        self.timestamp = timestamp
        self.direction = direction
        self.data = data
    }

    public static func == (lhs: TraceRecord, rhs: TraceRecord) -> Bool {
        lhs.interface == rhs.interface && lhs.linkType == rhs.linkType && lhs.timestamp == rhs.timestamp
            && lhs.direction == rhs.direction && lhs.data == rhs.data
    }
}

/// A decoded trace: its packets in file order, and the reader's warning.
public struct TraceFile: Sendable, Equatable {
    /// Every packet, in file order, with ns timestamps.
    public var records: [TraceRecord]
    /// Interfaces in order of appearance (name, link type), across sections.
    public var interfaces: [(name: String, linkType: UInt16)]
    /// Set when the file was truncated or damaged after its header.
    public var warning: String?

    /// Resolves the blocks of a read result.
    public init(_ result: PcapngReadResult) {
        var records: [TraceRecord] = []
        var section: [PcapngInterface] = []
        var all: [(name: String, linkType: UInt16)] = []
        for block in result.blocks {
            switch block {
            case .sectionHeader:
                section = []
            case .interfaceDescription(let interface):
                section.append(interface)
                let name = interface.name ?? "if\(section.count - 1)"
                if !all.contains(where: { $0.name == name && $0.linkType == interface.linkType }) {
                    all.append((name, interface.linkType))
                }
            case .enhancedPacket(let packet):
                guard Int(packet.interfaceID) < section.count else { continue }
                let interface = section[Int(packet.interfaceID)]
                let units = interface.unitsPerSecond
                let nanoseconds =
                    units == 1_000_000_000
                    ? packet.timestamp
                    : UInt64((Double(packet.timestamp) / Double(units) * 1e9).rounded())
                records.append(
                    TraceRecord(
                        interface: interface.name ?? "if\(packet.interfaceID)", linkType: interface.linkType,
                        timestamp: nanoseconds, direction: packet.direction, data: packet.data))
            case .other:
                continue
            }
        }
        self.records = records
        self.interfaces = all
        self.warning = result.warning
    }

    /// Reads and decodes `path`.
    public static func load(path: String) throws(TraceError) -> TraceFile {
        TraceFile(try PcapngReader.read(try readAll(path: path), path: path))
    }

    public static func == (lhs: TraceFile, rhs: TraceFile) -> Bool {
        lhs.records == rhs.records && lhs.warning == rhs.warning
            && lhs.interfaces.map(\.name) == rhs.interfaces.map(\.name)
    }

    /// Serial (non-event) interface names.
    public var serialInterfaces: [String] {
        interfaces.filter { $0.linkType != TraceLinkType.events }.map(\.name)
    }

    /// The whole contents of a file.
    public static func readAll(path: String) throws(TraceError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TraceError(code: .io, message: "cannot open \(path)", path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TraceError(code: .io, message: "cannot read \(path)", path: path, errno: errno)
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}
