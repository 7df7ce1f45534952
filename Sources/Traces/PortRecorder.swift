import DevicePort
import SerialIO
import Synchronization

/// The recorder as an endpoint of a ``DevicePort``: it records what passes through the port,
/// whichever endpoints the device is served to.
///
/// - Device output is recorded as `.outbound`, and every other endpoint's client bytes as
///   `.inbound`, before the device gets them.
/// - Clients' opens and closes, DTR/RTS and breaks, and the device's own line settings (the
///   ones a replay switches to), its modem status lines, receive errors, hangups and returns are
///   events of the interface.
///
/// It is never a reader: a device with only the recorder attached has nobody to wait for.
public final class PortRecorder: DevicePortEndpoint {
    /// Where everything is recorded.
    public let tap: TraceTap
    private let attachment = Mutex<DevicePortAttachment?>(nil)
    private let lastStatus = Mutex<ModemLines?>(nil)

    private init(tap: TraceTap) { self.tap = tap }

    /// Attaches a recorder for `tap` to `port`, noting the device's line settings now; nil when
    /// the port has closed.
    public static func attach(to port: DevicePort, tap: TraceTap) -> PortRecorder? {
        let recorder = PortRecorder(tap: tap)
        tap.note(TraceEvent(port.lineSettings))
        guard let attachment = port.attach(recorder, label: "recorder") else { return nil }
        recorder.attachment.withLock { $0 = attachment }
        return recorder
    }

    /// Stops recording (the trace file stays open: its recorder's owner closes it).
    public func detach() {
        attachment.withLock { $0 }?.detach()
    }

    public func deviceOutput(_ bytes: [UInt8]) -> WriteResult {
        tap.fromDevice(bytes)
        return WriteResult(written: bytes.count, dropped: 0)
    }

    public func deviceLineSettings(_ settings: LineSettings) { tap.note(TraceEvent(settings)) }

    public func deviceModemStatus(_ lines: ModemLines) {
        let changed = lastStatus.withLock { last in
            defer { last = lines }
            return last != lines
        }
        guard changed else { return }
        let names: [(ModemLines, String)] = [
            (.clearToSend, "CTS"), (.dataSetReady, "DSR"), (.carrierDetect, "CD"), (.ringIndicator, "RI"),
        ]
        let up = names.filter { lines.contains($0.0) }.map(\.1)
        tap.note(.note("device lines \(up.isEmpty ? "none" : up.joined(separator: " "))"))
    }

    public func devicePresence(_ present: Bool) { tap.note(present ? .open : .hangup) }

    public func deviceLineErrors(_ bits: UInt8) { tap.note(.note("line errors 0x\(String(bits, radix: 16))")) }

    public func portClosed() { try? tap.recorder.flush() }

    public var hasReader: Bool { false }

    public var observesClients: Bool { true }

    public func clientSent(_ bytes: [UInt8], from endpoint: EndpointID) { tap.toDevice(bytes) }

    public func clientEvent(_ event: PortEvent, from endpoint: EndpointID) {
        switch event {
        case .opened: tap.note(.open)
        case .closed: tap.note(.close)
        case .modemControl(let dtr, let rts): tap.note(.modemLines(dtr: dtr, rts: rts))
        case .breakSignal(true): tap.note(.breakSignal)
        // The device's settings are what a replay needs; they are noted when the device takes them.
        case .flowControl(let flow): tap.note(.note("flow control \(flow)"))
        case .lineSettings, .breakSignal(false), .purge: break
        }
    }
}
