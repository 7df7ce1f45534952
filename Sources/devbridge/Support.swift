import Foundation
import Logging
import ProfileTools
import SerialIO
import ServiceLifecycle
import Simulation

/// Collects stdout lines and writes them in large chunks (a 16 h run at 1 s is 57 600 lines).
struct BufferedOutput {
    private var buffer: [UInt8] = []

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count > 64 * 1024 { flush() }
    }

    mutating func flush() {
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A progress line on stderr for long runs, shown only when stderr is a terminal.
final class Progress {
    private let total: Double
    private let label: String
    private let enabled = isatty(2) == 1
    private var lastPercent = -1

    init(total: Double, label: String) {
        self.total = total
        self.label = label
    }

    func update(_ value: Double) {
        guard enabled, total > 0 else { return }
        let percent = Int(value / total * 100)
        guard percent != lastPercent else { return }
        lastPercent = percent
        FileHandle.standardError.write(Data("\r\(label) \(percent)% (\(DurationText.format(value)))".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// The human summary printed by `devbridge profile check`.
enum ProfileSummary {
    static func text(_ profile: Profile) -> String {
        var lines = ["\(profile.source): OK", "  name:     \(profile.name)"]
        if !profile.summary.isEmpty { lines.append("  about:    \(profile.summary)") }
        lines.append("  model:    \(profile.model?.type ?? "none")")
        let clock = profile.clock
        lines.append(
            "  clock:    start \(ProfileRun.isoTimestamp(clock.startEpoch)), tick \(DurationText.format(clock.tick)), "
                + "seed \(clock.seed)" + (clock.duration.map { ", duration \(DurationText.format($0))" } ?? ""))
        lines.append("  channels:")
        for channel in profile.channels {
            let source: String
            switch channel.source {
            case .model(let output): source = "model \(output)"
            case .curve(let curve): source = "curve (\(curve.times.count) knots, \(curve.interpolation.rawValue))"
            case .series(let curve): source = "CSV series (\(curve.times.count) points)"
            }
            lines.append("    \(channel.name) [\(channel.unit.label)] ← \(source)")
        }
        lines.append("  events:   \(profile.events.count) scheduled, \(profile.randomEvents.count) random")
        for event in profile.events {
            let when: String
            switch event.trigger {
            case .offset(let t): when = "at \(DurationText.format(t))"
            case .timeOfDay(let t, let daily):
                when = "at \(DurationText.clock(t).dropLast(3))" + (daily ? " daily" : "")
            case .condition(let c):
                when =
                    "when \(c.signal) \(c.above != nil ? "≥ \(c.above!)" : "≤ \(c.below!)")"
                    + (c.delay > 0 ? " + \(DurationText.format(c.delay))" : "")
            }
            lines.append("    \(when): \(event.label)")
        }
        lines.append("  faults:   \(profile.faults.count)")
        for fault in profile.faults {
            let span = fault.duration.map { "for \(DurationText.format($0))" } ?? "to the end"
            lines.append("    at \(DurationText.format(fault.start)) \(span): \(fault.label)")
        }
        if let protocolName = profile.device.protocolName { lines.append("  device:   \(protocolName)") }
        return lines.joined(separator: "\n")
    }
}

/// Prints a line straight to stdout (no stdio buffering), so a parent process reading
/// the pipe sees it at once. Never use `fflush(nil)`: it also locks stdin, which the
/// stdin event reader holds while it waits for a line.
func printNow(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Runs `services` in one `ServiceGroup` until they finish or SIGINT/SIGTERM shuts them down
/// gracefully (removing links, flushing traces). PTY and serial-port errors (``SerialIOError``) become CLI messages.
func runUntilStopped(_ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger) async throws {
    let group = ServiceGroup(
        configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    do {
        try await group.run()
    } catch let error as SerialIOError {
        throw ValidationFailure(message: "\(error)")
    }
}
