import DevicePort
import Foundation
import SerialIO

/// The line protocol between the service and the child of a process-isolated device
/// (`devbridge sim --serve-stdio --status-interval SECONDS`, see ``ProcessDevice``).
///
/// The child runs the device; the service holds its port, PTY link and exports, and relays
/// between them and the child over the child's stdin and stdout:
///
/// - Service to child, on the child's stdin: an event command (`lid_open duration=90s`); a
///   clock command: `:clock pause`, `:clock resume`, `:clock speed 60`, `:clock advance 3600`
///   (seconds); bytes a client wrote, `:data N BASE64`; or what a client did, `:port N opened`,
///   `:port N closed`, `:port N line 9600 8 N 1`, `:port N dtr 0|1`, `:port N rts 0|1`,
///   `:port N break 0|1`. N (1 or more) tells the service's endpoints apart.
/// - Child to service, on its stdout: `ready: BAUD` once the device runs; `data: BASE64`,
///   device output; `status: {JSON}`, a
///   ``DeviceSnapshot`` holding the live fields (time, clock, channels, outputs, counters,
///   recent events, baud), every interval. Other lines are for people and are ignored.
public enum ChildDeviceProtocol {
    /// What a `:data` or `:port` line carries.
    public enum PortInput: Sendable, Equatable {
        /// Bytes a client of service endpoint N wrote.
        case data(endpoint: Int, [UInt8])
        /// Something a client of service endpoint N did.
        case event(endpoint: Int, PortEvent)
    }

    /// Starts the line the child prints once its device runs (`ready: BAUD`).
    public static let readyPrefix = "ready: "
    /// Starts a device output line.
    public static let dataPrefix = "data: "

    /// The device output line for `bytes`.
    public static func dataLine(_ bytes: [UInt8]) -> String {
        dataPrefix + Data(bytes).base64EncodedString()
    }

    /// The bytes of a device output line; nil for any other line or a damaged one.
    public static func data(fromLine line: some StringProtocol) -> [UInt8]? {
        guard line.hasPrefix(dataPrefix) else { return nil }
        return Data(base64Encoded: String(line.dropFirst(dataPrefix.count))).map { Array($0) }
    }

    /// The `:data` line for bytes from service endpoint `endpoint`.
    public static func inputLine(endpoint: Int, _ bytes: [UInt8]) -> String {
        ":data \(endpoint) " + Data(bytes).base64EncodedString()
    }

    /// The `:port` line for an event of service endpoint `endpoint`.
    public static func eventLine(endpoint: Int, _ event: PortEvent) -> String {
        let what: String
        switch event {
        case .opened: what = "opened"
        case .closed: what = "closed"
        case .lineSettings(let settings):
            what = "line \(settings.baud) \(settings.dataBits) \(settings.parity.letter) \(settings.stopBits.rawValue)"
        case .modemControl(let dtr, let rts):
            what = [dtr.map { "dtr \($0 ? 1 : 0)" }, rts.map { "rts \($0 ? 1 : 0)" }].compactMap { $0 }
                .joined(separator: " ")
        case .breakSignal(let on): what = "break \(on ? 1 : 0)"
        case .flowControl(let flow): what = "flow \(flowNames[flow]!)"
        case .purge(let input, let output): what = "purge \(input ? 1 : 0) \(output ? 1 : 0)"
        }
        return ":port \(endpoint) \(what)"
    }

    private static let flowNames: [FlowControl: String] = [.none: "none", .software: "software", .hardware: "hardware"]

    /// The input of a `:data` or `:port` line: nil when the line is neither, an error when it
    /// is one but malformed.
    public static func portInput(fromLine line: String) throws(ServiceError) -> PortInput? {
        let words = line.split(separator: " ")
        guard let command = words.first, command == ":data" || command == ":port" else { return nil }
        let refuse = ServiceError(.badRequest, "'\(line.prefix(80))' is not a valid \(command) line")
        guard words.count >= 3, let endpoint = Int(words[1]), endpoint > 0 else { throw refuse }
        if command == ":data" {
            guard words.count == 3, let data = Data(base64Encoded: String(words[2])) else { throw refuse }
            return .data(endpoint: endpoint, Array(data))
        }
        let arguments = words.dropFirst(3).map(String.init)
        let flags = arguments.map { ["0": false, "1": true][$0] }  // nil where not 0 or 1
        let flag = flags.count == 1 ? flags[0] : nil
        switch (words[2], arguments.count) {
        case ("opened", 0): return .event(endpoint: endpoint, .opened)
        case ("closed", 0): return .event(endpoint: endpoint, .closed)
        case ("dtr", 1):
            if let flag {
                return .event(endpoint: endpoint, .modemControl(dataTerminalReady: flag, requestToSend: nil))
            }
        case ("rts", 1):
            if let flag {
                return .event(endpoint: endpoint, .modemControl(dataTerminalReady: nil, requestToSend: flag))
            }
        case ("dtr", 3) where arguments[1] == "rts":
            if let dtr = flags[0], let rts = flags[2] {
                return .event(endpoint: endpoint, .modemControl(dataTerminalReady: dtr, requestToSend: rts))
            }
        case ("break", 1):
            if let flag { return .event(endpoint: endpoint, .breakSignal(flag)) }
        case ("flow", 1):
            if let flow = flowNames.first(where: { $0.value == arguments[0] })?.key {
                return .event(endpoint: endpoint, .flowControl(flow))
            }
        case ("purge", 2):
            if let input = flags[0], let output = flags[1] {
                return .event(endpoint: endpoint, .purge(input: input, output: output))
            }
        case ("line", 4):
            let parity = Parity.allCases.first { String($0.letter) == arguments[2] }
            let stop = Int(arguments[3]).flatMap(StopBits.init(rawValue:))
            if let baud = Int(arguments[0]), let bits = Int(arguments[1]), let parity, let stop {
                let settings = LineSettings(baud: baud, dataBits: bits, parity: parity, stopBits: stop)
                if (try? settings.validate()) != nil { return .event(endpoint: endpoint, .lineSettings(settings)) }
            }
        default: break
        }
        throw refuse
    }

    /// Starts a status line.
    public static let statusPrefix = "status: "
    /// Starts a clock command line.
    public static let clockPrefix = ":clock "

    /// The status line for `snapshot` (one line: JSON escapes newlines).
    public static func statusLine(_ snapshot: DeviceSnapshot) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(snapshot)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return statusPrefix + json
    }

    /// The snapshot of a status line; nil for any other line or a damaged one.
    public static func status(fromLine line: some StringProtocol) -> DeviceSnapshot? {
        guard line.hasPrefix(statusPrefix) else { return nil }
        return try? JSONDecoder().decode(DeviceSnapshot.self, from: Data(line.dropFirst(statusPrefix.count).utf8))
    }

    /// The command line for a clock action.
    public static func commandLine(_ action: ClockAction) -> String {
        switch action {
        case .pause: clockPrefix + "pause"
        case .resume: clockPrefix + "resume"
        case .speed(let factor): clockPrefix + "speed \(factor)"
        case .advance(let seconds): clockPrefix + "advance \(seconds)"
        }
    }

    /// The clock action of a command line: nil when the line is not a clock command (an event),
    /// an error when it is one but malformed.
    public static func clockAction(fromLine line: String) throws(ServiceError) -> ClockAction? {
        guard line.hasPrefix(":clock") else { return nil }
        let words = line.dropFirst(":clock".count).split(separator: " ")
        switch (words.first, words.count) {
        case ("pause", 1): return .pause
        case ("resume", 1): return .resume
        case ("speed", 2):
            if let factor = Double(words[1]) { return .speed(factor) }
        case ("advance", 2):
            if let seconds = Double(words[1]) { return .advance(seconds: seconds) }
        default: break
        }
        throw ServiceError(
            .badRequest, "'\(line)' is not a clock command (pause, resume, speed FACTOR, advance SECONDS)")
    }
}
