import Foundation

/// The line protocol between the service and the child of a process-isolated device
/// (`devbridge sim --status-interval SECONDS`, see ``ProcessDevice``).
///
/// - Service to child, on the child's stdin: an event command (`lid_open duration=90s`), or a
///   clock command: `:clock pause`, `:clock resume`, `:clock speed 60`, `:clock advance 3600`
///   (seconds).
/// - Child to service, on its stdout: `status: {JSON}`, a ``DeviceSnapshot`` holding the live
///   fields (time, clock, channels, outputs, counters, recent events, baud), every interval.
public enum ChildDeviceProtocol {
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
