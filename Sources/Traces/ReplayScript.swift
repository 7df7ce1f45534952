import SerialIO

/// What a replayed device does: the recorded device → app chunks to send,
/// and the app → device bytes to expect, with their recorded times (ns).
public struct ReplayScript: Sendable, Equatable {
    /// One step of a script.
    public enum Step: Sendable, Equatable {
        /// Send these bytes to the app at recorded time `at`.
        case send([UInt8], at: UInt64)
        /// The app wrote these bytes at recorded time `at`.
        case expect([UInt8], at: UInt64)
        /// An event of the recorded endpoint (line settings, open, close…).
        case event(TraceEvent, at: UInt64)

        /// The recorded time.
        public var time: UInt64 {
            switch self {
            case .send(_, let at), .expect(_, let at), .event(_, let at): at
            }
        }
    }

    /// The steps in recorded order.
    public var steps: [Step]
    /// The interface the script was taken from.
    public var interface: String

    /// Creates a script.
    public init(steps: [Step], interface: String = "") {
        self.steps = steps
        self.interface = interface
    }

    /// Takes the script of `interface` (default: the first serial interface)
    /// from a trace: outbound packets become sends, inbound ones
    /// expectations (consecutive ones merged), its events become events.
    public init(trace: TraceFile, interface: String? = nil) throws(TraceError) {
        guard let name = interface ?? trace.serialInterfaces.first else {
            throw TraceError(code: .noSuchInterface, message: "the trace has no serial interface to replay")
        }
        guard trace.serialInterfaces.contains(name) else {
            throw TraceError(
                code: .noSuchInterface,
                message:
                    "no interface '\(name)' in the trace (it has: \(trace.serialInterfaces.joined(separator: ", ")))")
        }
        var steps: [Step] = []
        for record in trace.records {
            if let (owner, event) = record.event {
                if owner == name { steps.append(.event(event, at: record.timestamp)) }
                continue
            }
            guard record.interface == name else { continue }
            switch record.direction {
            case .outbound:
                steps.append(.send(record.data, at: record.timestamp))
            case .inbound:
                if case .expect(let previous, let at) = steps.last {
                    steps[steps.count - 1] = .expect(previous + record.data, at: at)
                } else {
                    steps.append(.expect(record.data, at: record.timestamp))
                }
            case .unknown:
                continue
            }
        }
        self.init(steps: steps, interface: name)
    }

    /// The settings of the first recorded `line …` event (the device's at the start), if any.
    public var initialLineSettings: LineSettings? {
        for step in steps {
            if case .event(let event, _) = step, let settings = event.settings { return settings }
        }
        return nil
    }

    /// The recorded events a PTY cannot reproduce or observe: modem lines and breaks.
    public var modemEvents: [TraceEvent] {
        steps.compactMap { step -> TraceEvent? in
            switch step {
            case .event(let event, _) where event.isModemEvent: event
            default: nil
            }
        }
    }

    /// All bytes the device sends, in order.
    public var sentBytes: [UInt8] {
        steps.flatMap { step -> [UInt8] in
            if case .send(let bytes, _) = step { return bytes }
            return []
        }
    }
}
