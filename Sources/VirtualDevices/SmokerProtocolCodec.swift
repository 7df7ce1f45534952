/// A pure, byte-exact codec for one smoker thermometer protocol.
///
/// The runner owns the clock and the port. It calls ``reset()`` when the port is
/// opened (DTR pulse) and then ``nextLine(_:)`` once every ``lineInterval`` virtual
/// seconds; each call is one firmware loop. Warm-up: the first
/// ``warmupLines`` calls after a reset return `nil` (silence), so
/// ``warmup`` = `warmupLines × lineInterval` seconds. Bytes written by the app are
/// passed to ``receive(_:)`` in whatever chunks they arrive.
public protocol SmokerProtocolCodec: Sendable {
    /// Protocol name as used on the command line: `smart-smoker`, `heatermeter`.
    static var name: String { get }
    /// Serial speed of the real device (8N1).
    var baudRate: Int { get }
    /// Virtual seconds between two ``nextLine(_:)`` calls (one firmware loop).
    var lineInterval: Double { get }
    /// Number of loops after a reset that print nothing.
    var warmupLines: Int { get }
    /// Seconds of silence after a reset (`warmupLines × lineInterval`).
    var warmup: Double { get }
    /// Firmware state cleared, as after a DTR reset or power-up; the warm-up starts again.
    mutating func reset()
    /// Runs one firmware loop with the current readings; returns the bytes printed,
    /// or `nil` while warming up.
    mutating func nextLine(_ readings: SmokerReadings) -> [UInt8]?
    /// Consumes bytes written by the app (partial lines are buffered) and returns
    /// the commands completed by them, in order.
    mutating func receive(_ bytes: [UInt8]) -> [DeviceCommand]
}

extension SmokerProtocolCodec {
    /// Seconds of silence after a reset (`warmupLines × lineInterval`).
    public var warmup: Double { Double(warmupLines) * lineInterval }

    /// The protocol's name (`Self.name`), for existentials.
    public var protocolName: String { Self.name }
}

/// A command decoded from bytes the app sent to the device.
public enum DeviceCommand: Sendable, Equatable {
    /// Change the controller setpoint; always in °F (Celsius input is converted).
    case setSetpoint(fahrenheit: Double)
    /// A complete line or parameter the codec does not understand, as text
    /// (invalid UTF-8 replaced). The runner may log it; the device ignores it.
    case unknown(String)
}
