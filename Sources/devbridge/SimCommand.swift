import ArgumentParser
import DeviceBridgeService
import Foundation
import Logging
import VirtualDevices

/// `devbridge sim`: one virtual device on a PTY.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run one virtual device on a pseudo-terminal.",
        discussion: """
            Creates a PTY, links it at --link, prints both paths, and streams the device's
            protocol, driven by the profile, until SIGINT or SIGTERM (which removes the link).

            Examples:
              devbridge sim smoker-brisket                                  # link in the per-user runtime dir
              sudo devbridge sim smoker-brisket --link /dev/ttyUSB0         # what a real board would be
              devbridge sim smoker-brisket --protocol heatermeter --speed 60
              devbridge sim cgm-t1d-day --speed 60 --nightscout 127.0.0.1:1337 --api-secret s3cret
              python3 -m serial.tools.miniterm "$(devbridge-link)" 9600     # read it like the app would

            Like the hardware:
              * Opening the port resets the device (as DTR resets an Arduino): ~3 s of silence,
                then output. --no-reset-on-open turns this off.
              * An app that sets another baud rate than the device's reads garbage, as from a
                real UART. --no-baud-mismatch turns this off.
              * The app can close and reopen the port any number of times.

            Events: type a line on stdin, e.g. 'lid_open duration=90s', 'setpoint 250F',
            'wrap meat1', 'probe_disconnect meat1'. HeaterMeter also accepts '/set?sp=250F'
            written to the port. Clock: ':clock pause', ':clock resume', ':clock speed 60',
            ':clock advance 3600' (seconds).

            Protocols (--protocol):
            \(protocolList)
            """)

    /// One line per catalog entry: name, line settings, summary.
    static var protocolList: String {
        DeviceCatalog.standard.entries.map { entry in
            let settings = entry.lineSettings.description
            return "  " + entry.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + settings.padding(toLength: 11, withPad: " ", startingAt: 0) + entry.summary
        }.joined(separator: "\n")
    }

    @Argument(help: "A profile path or shipped profile name (e.g. smoker-brisket).")
    var profile: String

    @Option(help: "Symlink to the PTY (default: $XDG_RUNTIME_DIR/devbridge/NAME or /tmp/devbridge-UID/NAME).")
    var link: String?

    @Option(
        help: "Device protocol: \(DeviceCatalog.standard.namesText) (default: the profile's device.protocol).")
    var `protocol`: String?

    @Option(help: "Time compression: 1 (real time), 60 (a minute per second), or max (as fast as the app reads).")
    var speed: String = "1"

    @Option(help: "Random seed (default: the profile's clock.seed).")
    var seed: UInt64?

    @Flag(inversion: .prefixedNo, help: "Reset the device (warm-up silence) when the app opens the port.")
    var resetOnOpen = true

    @Flag(inversion: .prefixedNo, help: "Garble the output when the app's baud rate differs from the device's.")
    var baudMismatch = true

    @Option(help: "Record the session as pcapng to FILE (see docs/traces.md).")
    var trace: String?

    @Option(help: "CGM profiles: serve a Nightscout API on a loopback HOST:PORT (port 0: any free port).")
    var nightscout: String?

    @Option(help: "API_SECRET for --nightscout (clients send its SHA-1 hex in the api-secret header).")
    var apiSecret: String?

    @Option(
        help: ArgumentHelp(
            "What --nightscout clients may do without the secret: 'readable' (read, as Nightscout allows by default) or 'denied'. Writes always need the secret.",
            valueName: "readable|denied"))
    var nightscoutAuthDefault: NightscoutAuthDefault = .readable

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "notice"

    @Option(
        help: ArgumentHelp(
            "Print the device's live state as a 'status: {JSON}' line every SECONDS (what the service reads from a process-isolated device).",
            valueName: "seconds"))
    var statusInterval: Double?

    @Flag(
        help: ArgumentHelp(
            "Serve the device on stdin/stdout (framed 'data:' lines) instead of a PTY: how the service runs a process-isolated device.",
            visibility: .hidden))
    var serveStdio = false

    func run() async throws {
        if let statusInterval, !(0.05...3600).contains(statusInterval) {
            throw ValidationError("--status-interval must be between 0.05 and 3600 seconds, found \(statusInterval)")
        }
        guard let speed = SimulationSpeed(speed) else {
            throw ValidationError("--speed must be a positive number or 'max', found '\(self.speed)'")
        }
        let loaded = try ProfileCommand.load(profile)
        let nightscoutAddress = try nightscout.map { text throws(ValidationError) in
            guard case .factor = speed else { throw ValidationError("--nightscout needs a numeric --speed (not max)") }
            guard let apiSecret, !apiSecret.isEmpty else { throw ValidationError("--nightscout needs --api-secret") }
            do {
                return try NightscoutServer.parseAddress(text)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        var logger = Logger(label: "devbridge.sim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        var options = SimSession.Options(
            profileSource: profile, protocolName: self.protocol, seed: seed, link: link, speed: speed,
            resetOnOpen: resetOnOpen, emulateBaudMismatch: baudMismatch, trace: trace,
            nightscout: nightscoutAddress.map {
                .init(host: $0.host, port: $0.port, apiSecret: apiSecret ?? "", authDefault: nightscoutAuthDefault)
            },
            statusInterval: statusInterval.map { .milliseconds(Int($0 * 1000)) })
        if serveStdio { options.pipe = { printNow($0) } }
        let speedText = speed.description
        let serveStdio = serveStdio
        let session: SimSession
        do {
            session = try SimSession(
                profile: loaded, options: options, logger: logger,
                onReady: { ready in
                    guard !serveStdio else {
                        return printNow(ChildDeviceProtocol.readyPrefix + "\(ready.endpoint.lineSettings.baud)")
                    }
                    printNow(
                        """
                        devbridge sim: \(ready.name) speaking \(ready.protocolName) at \(ready.endpoint.lineSettings)
                          pty:   \(ready.endpoint.ptyPath)
                          link:  \(ready.endpoint.link ?? "(none)")
                          speed: \(speedText)
                          stdin: type an event, e.g. 'lid_open duration=90s' (Ctrl-C stops and removes the link)
                        """)
                },
                onNightscout: { host, port in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    printNow("  nightscout: http://\(shown):\(port)/api/v1/entries.json")
                },
                onStatus: { printNow($0) })
        } catch let error as ServiceError {
            if error.code == .badRequest { throw ValidationError(error.message) }
            throw ValidationFailure(message: error.message)
        }
        defer { session.close() }
        StdinEvents.start { line in
            do {
                switch try session.handle(line: line) {
                case .clock(let command): printNow("clock: \(command)")
                case .event: printNow("event: \(line)")
                case .port: break
                }
            } catch {
                printNow("event refused: \(error)")
            }
        }
        try await runUntilStopped(session.services, logger: logger)
    }
}

/// Reads event commands from stdin on a background thread (stdin may be a terminal or a pipe).
enum StdinEvents {
    static func start(_ handle: @escaping @Sendable (String) -> Void) {
        let thread = Thread {
            while let line = readLine() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                handle(trimmed)
            }
        }
        thread.start()
    }
}

extension NightscoutAuthDefault: ExpressibleByArgument {}
