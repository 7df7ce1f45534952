import ArgumentParser
import DeviceBridgeService
import Foundation
import Logging
import SerialIO
import ServiceLifecycle
import Traces

/// Parses `--rotate-size` / `--rotate-interval` into a rotation policy.
private func rotation(size: String?, interval: String?) throws -> TraceRotation? {
    guard size != nil || interval != nil else { return nil }
    do {
        return TraceRotation(
            maxBytes: try size.map { text throws(TraceError) in try TraceRotation.parseSize(text) },
            maxAgeNanoseconds: try interval.map { text throws(TraceError) in try TraceRotation.parseInterval(text) })
    } catch {
        throw ValidationError(error.description)
    }
}

/// Loads a trace, printing the reader's warning (truncated file) on stderr.
private func loadTrace(_ path: String) throws -> TraceFile {
    do {
        let trace = try TraceFile.load(path: path)
        if let warning = trace.warning { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        return trace
    } catch {
        throw ValidationFailure(message: error.description)
    }
}

/// `devbridge record`: interpose between an app and a real device, recording both directions.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Interpose between an app and a serial device, recording both directions as pcapng.",
        discussion: """
            The app opens --link instead of the device; bytes and line-setting changes pass both
            ways and everything goes into --out (see docs/traces.md). Runs until SIGINT/SIGTERM.
            The file is flushed at least every 250 ms.

            When the device hangs up (unplugged), the trace notes 'hangup', the link stays, and the
            device is reopened as soon as it is back (noted 'open', with the app's last line
            settings applied again). App bytes written meanwhile are dropped and counted.
            --exit-on-hangup ends the recording at the first hangup instead; so does the hangup of a
            /dev/pts/N device (a pseudo-terminal never comes back; its number is reused).

            Example:
              devbridge record --device /dev/ttyUSB0 --link /tmp/smoker --out cook.pcapng --rotate-interval 1h
            """)

    @Option(help: "The real serial device (e.g. /dev/ttyUSB0).")
    var device: String

    @Option(help: "Symlink the app opens (a PTY).")
    var link: String

    @Option(help: "The pcapng file to write.")
    var out: String

    @Option(help: "Start a new file (OUT.1, OUT.2, …) when this size is reached, e.g. 100MB.")
    var rotateSize: String?

    @Option(help: "Start a new file (OUT.1, OUT.2, …) after this long, e.g. 1h.")
    var rotateInterval: String?

    @Flag(help: "End the recording when the device hangs up instead of waiting for it to return.")
    var exitOnHangup = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "notice"

    func run() async throws {
        let policy = try rotation(size: rotateSize, interval: rotateInterval)
        var logger = Logger(label: "devbridge.record")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        let recorder: TraceRecorder
        do {
            recorder = try TraceRecorder(path: out, options: .init(rotation: policy))
        } catch {
            throw ValidationFailure(message: error.description)
        }
        defer { recorder.close() }
        let device = self.device
        let out = self.out
        let runner = RecordRunner(
            device: device, link: link, recorder: recorder, logger: logger, exitOnHangup: exitOnHangup
        ) { endpoint in
            printNow(
                """
                devbridge record: \(device) at \(endpoint.lineSettings)
                  pty:   \(endpoint.ptyPath)
                  link:  \(endpoint.link ?? "(none)")
                  trace: \(out)
                """)
        }
        try await runUntilStopped(
            [.init(service: runner, successTerminationBehavior: .gracefullyShutdownGroup)], logger: logger)
        let counters = runner.counters
        var summary =
            "recorded \(counters.toDevice) bytes app→device, \(counters.fromDevice) bytes device→app into \(out)"
        if counters.hangups > 0 {
            summary +=
                "; the device hung up \(counters.hangups)×, \(counters.droppedWhileAbsent) app bytes dropped meanwhile"
        }
        print(summary)
    }
}

/// `devbridge replay`: a trace played back as a device on a PTY.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Play a recorded trace back as a virtual device on a PTY.",
        discussion: """
            The device→app bytes of the trace are sent with their recorded timing (scaled by
            --speed) once the app opens the port. With --match the device waits until the app's
            writes equal the recorded ones before answering; a mismatch prints a report naming
            the expected and actual bytes and where they occurred (exit status 1 with --strict).
            Without --loop it exits when the trace has been played and the app closed the port.

            Line settings follow the recording: the PTY starts at the first recorded ones and the
            device switches when the trace does; an app at another baud reads garbage, as from
            the real device (--no-baud-mismatch turns this off). With --match an app that has
            not set the recorded line settings within 250 ms of when the recording did is a
            mismatch. Recorded modem-line and break events are printed as they are reached;
            a PTY has no modem lines, so they are neither reproduced nor checked.

            Example:
              devbridge replay cook.pcapng --link /tmp/smoker --speed 10
              devbridge replay session.pcapng --link /tmp/dev --match --strict
            """)

    @Argument(help: "The pcapng trace.")
    var file: String

    @Option(help: "Symlink to the PTY the app opens.")
    var link: String

    @Option(help: "Time scale: 1 keeps the recorded timing, 10 plays ten times faster.")
    var speed: Double = 1

    @Flag(help: "Start again at the end.")
    var loop = false

    @Flag(help: "Wait for the app's writes to match the recorded ones before answering.")
    var match = false

    @Flag(help: "With --match: stop with exit status 1 at the first mismatch.")
    var strict = false

    @Option(help: "Interface (if_name) to replay (default: the first serial interface).")
    var interface: String?

    @Flag(inversion: .prefixedNo, help: "Garble the output when the app's baud rate differs from the recorded one.")
    var baudMismatch = true

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "notice"

    func run() async throws {
        guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be a positive number") }
        let trace = try loadTrace(file)
        let script: ReplayScript
        do {
            script = try ReplayScript(trace: trace, interface: interface)
        } catch {
            throw ValidationFailure(message: "\(file): \(error.description)")
        }
        var logger = Logger(label: "devbridge.replay")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        let file = self.file
        let speed = self.speed
        let match = self.match
        let initial = ReplayRunner.initialLineSettings(of: script)
        let modemEvents = script.modemEvents.count
        let runner = ReplayRunner(
            script: script, lineSettings: initial,
            options: .init(
                link: link, engine: .init(speed: speed, match: match, loop: loop), strict: strict,
                emulateBaudMismatch: baudMismatch),
            logger: logger,
            onReady: { pty, link in
                var text = """
                    devbridge replay: \(file) (\(script.interface), \(script.steps.count) steps) at \(speed)x, starting at \(initial)
                      pty:   \(pty)
                    """
                if match, modemEvents > 0 {
                    text +=
                        "\n  note:  \(modemEvents) recorded modem/break events are not checkable on a PTY (it has no modem lines): they are only printed"
                }
                // The link line comes last: scripts wait for it.
                printNow(text + "\n  link:  \(link ?? "(none)")")
            },
            onMismatch: { mismatch in
                FileHandle.standardError.write(Data("\(mismatch)\n".utf8))
            },
            onEvent: { event, offset in
                let time = "replay +\(TraceText.seconds(Double(offset) / 1e9)) s: \(event)"
                switch event {
                case .lineSettings: printNow("\(time) (the device switches to it)")
                case .modemLines, .breakSignal: printNow("\(time) (recorded; not reproduced on a PTY)")
                default: printNow(time)
                }
            })
        try await runUntilStopped(
            [.init(service: runner, successTerminationBehavior: .gracefullyShutdownGroup)], logger: logger)
        let outcome = runner.outcome
        print(
            "replay \(outcome.finished ? "finished" : "stopped"): \(outcome.bytesSent) bytes sent, \(outcome.mismatches.count) mismatches"
        )
        if strict, !outcome.mismatches.isEmpty { throw ExitCode(1) }
    }
}

/// `devbridge trace`: inspect traces.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Inspect pcapng traces.",
        subcommands: [Show.self, ExportCSV.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a trace: time, interface, direction, hex and text of each packet, and the events.")

        @Argument(help: "The pcapng trace.")
        var file: String

        func run() throws {
            let trace = try loadTrace(file)
            print(TraceDump.lines(trace).joined(separator: "\n"))
        }
    }

    struct ExportCSV: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-csv",
            abstract: "Numbers from the device's lines as CSV for a profile's csv: channel source.",
            discussion: """
                Columns: time (seconds since the first packet), then each field found: JSON keys
                (Smart Smoker: Meat, Chamber, …), HeaterMeter $HMSU fields (setpoint, pit, food1, …),
                or f1, f2, … for other lines. Use it in a profile as
                  csv: {file: cook.csv, column: Chamber, time_column: time}
                """)

        @Argument(help: "The pcapng trace.")
        var file: String

        @Option(help: "Interface (if_name) whose device→app lines to export (default: the first serial interface).")
        var interface: String?

        @Option(help: "CSV file to write (default: stdout).")
        var out: String?

        func run() throws {
            let trace = try loadTrace(file)
            guard let name = interface ?? trace.serialInterfaces.first else {
                throw ValidationFailure(message: "\(file): the trace has no serial interface")
            }
            let text: String
            do {
                text = try TraceCSVExport.csv(trace, interface: name)
            } catch {
                throw ValidationFailure(message: "\(file): \(error.description)")
            }
            if let out {
                do {
                    try text.write(toFile: out, atomically: true, encoding: .utf8)
                } catch {
                    throw ValidationFailure(message: "cannot write '\(out)': \(error.localizedDescription)")
                }
                print("wrote \(out)")
            } else {
                print(text, terminator: "")
            }
        }
    }
}
