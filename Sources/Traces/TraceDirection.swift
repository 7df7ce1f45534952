/// The direction of bytes on a serial interface of a trace, stored in the
/// `epb_flags` option (bits 0–1) of each Enhanced Packet Block.
///
/// devbridge's convention (see docs/traces.md): on every serial interface,
/// **inbound** (`01`) are bytes going *into* the device (written by the app),
/// and **outbound** (`10`) are bytes coming *out of* the device (read by the
/// app). A virtual device, a recorded real device and an exported port all
/// follow it, so a replay knows which bytes to send and which to expect.
public enum TraceDirection: UInt32, Sendable, Equatable, Hashable, CaseIterable {
    /// Direction not recorded (flags bits 0–1 = 00), used by event packets.
    case unknown = 0
    /// App → device (flags bits 0–1 = 01).
    case inbound = 1
    /// Device → app (flags bits 0–1 = 10).
    case outbound = 2

    /// Decodes bits 0–1 of an `epb_flags` value.
    public init(flags: UInt32) {
        self = TraceDirection(rawValue: flags & 0x3) ?? .unknown
    }

    /// The `epb_flags` value carrying this direction.
    public var flags: UInt32 { rawValue }

    /// "in"/"out"/"-", as `devbridge trace show` prints it.
    public var shortName: String {
        switch self {
        case .unknown: "-"
        case .inbound: "in"
        case .outbound: "out"
        }
    }
}
