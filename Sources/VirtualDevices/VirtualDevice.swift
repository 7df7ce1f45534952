import Simulation

/// A simulated device that prints lines over virtual time and reads bytes from the app.
///
/// Implementations are pure values (no clock, no I/O): the runner in
/// `DeviceBridgeService` maps wall time to virtual time, writes the lines to
/// a PTY, and feeds back what the app wrote.
public protocol VirtualDevice: Sendable {
    /// Protocol name (`smart-smoker`, `heatermeter`, `cgm-jsonl`).
    var protocolName: String { get }
    /// Serial speed of the real device (8N1).
    var baudRate: Int { get }
    /// The simulation behind the device.
    var simulation: Simulation { get }
    /// DTR reset / port open: warm-up silence, then output restarts.
    mutating func reset()
    /// Advances to virtual `time` and returns the lines printed on the way.
    mutating func advance(to time: Double) -> [DeviceLine]
    /// Bytes written by the app. Returns what the device did with them, for logs.
    mutating func receive(_ bytes: [UInt8]) -> [String]
    /// Applies an event from outside (stdin, the control API).
    mutating func inject(_ event: ModelEvent) throws(ModelError)
}

/// One line printed by a device at a virtual time.
public struct DeviceLine: Sendable, Equatable {
    /// Virtual seconds since the profile start.
    public var time: Double
    public var bytes: [UInt8]

    public init(time: Double, bytes: [UInt8]) {
        self.time = time
        self.bytes = bytes
    }
}
