import ArgumentParser
import DeviceBridgeService
import Foundation
import Logging
import SerialIO
import ServiceLifecycle
import Simulation
import Synchronization
import Traces
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
            """)

    @Argument(help: "A profile path or shipped profile name (e.g. smoker-brisket).")
    var profile: String

    @Option(help: "Symlink to the PTY (default: $XDG_RUNTIME_DIR/devbridge/NAME or /tmp/devbridge-UID/NAME).")
    var link: String?

    @Option(
        help: "Device protocol: smart-smoker, heatermeter or cgm-jsonl (default: the profile's device.protocol).")
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

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "notice"

    @Option(
        help: ArgumentHelp(
            "Print the device's live state as a 'status: {JSON}' line every SECONDS (what the service reads from a process-isolated device).",
            valueName: "seconds"))
    var statusInterval: Double?

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
        let cgmHistory = nightscoutAddress.map { _ in CGMHistoryStore() }
        let device = try makeDevice(loaded, cgmHistory: cgmHistory)
        let linkPath: String
        if let link {
            linkPath = link
        } else {
            do {
                linkPath = try PTYLink.defaultPath(name: loaded.name)
            } catch {
                throw ValidationFailure(message: "\(error)")
            }
        }
        var logger = Logger(label: "devbridge.sim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        let speedText = speed.description
        let recorder = try trace.map { path throws(TraceError) in try TraceRecorder(path: path) }
        defer { recorder?.close() }
        let tap = recorder.map {
            TraceTap(recorder: $0, name: linkPath, description: "devbridge sim \(loaded.name) (\(device.protocolName))")
        }
        let baud = Mutex<Int?>(nil)  // the PTY's, once it is open (for --status-interval)
        let runner = VirtualDeviceRunner(
            name: loaded.name, device: device,
            options: .init(
                link: linkPath, speed: speed, resetOnOpen: resetOnOpen, emulateBaudMismatch: baudMismatch, trace: tap),
            logger: logger
        ) { endpoint in
            let settings = endpoint.lineSettings
            baud.withLock { $0 = settings.baud }
            printNow(
                """
                devbridge sim: \(loaded.name) speaking \(device.protocolName) at \(settings)
                  pty:   \(endpoint.ptyPath)
                  link:  \(endpoint.link ?? "(none)")
                  speed: \(speedText)
                  stdin: type an event, e.g. 'lid_open duration=90s' (Ctrl-C stops and removes the link)
                """)
        }
        StdinEvents.start { line in
            do {
                if let action = try ChildDeviceProtocol.clockAction(fromLine: line) {
                    try runner.apply(action)
                    printNow("clock: \(line.dropFirst(ChildDeviceProtocol.clockPrefix.count))")
                    return
                }
                let event = try EventCommand.parse(line)
                try runner.inject(event)
                printNow("event: \(line)")
            } catch {
                printNow("event refused: \(error)")
            }
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: runner)]
        if let statusInterval {
            var device = VirtualDeviceConfiguration(name: loaded.name, profile: profile)
            device.speed = speed
            let reporter = DeviceStatusReporter(
                runner: runner, configuration: device, interval: .milliseconds(Int(statusInterval * 1000)),
                baud: { baud.withLock { $0 } }, emit: { printNow($0) })
            services.append(.init(service: reporter))
        }
        if let nightscoutAddress, let cgmHistory, let apiSecret {
            let routes = NightscoutRoutes(
                store: cgmHistory, secret: NightscoutSecret(apiSecret), name: loaded.name,
                inject: { event in try runner.inject(event) })
            let server = NightscoutServer(
                host: nightscoutAddress.host, port: nightscoutAddress.port, routes: routes, logger: logger
            ) { host, port in
                let shown = host.contains(":") ? "[\(host)]" : host
                printNow("  nightscout: http://\(shown):\(port)/api/v1/entries.json")
            }
            services.append(.init(service: server))
        }
        try await runUntilStopped(services, logger: logger)
    }

    func makeDevice(_ loaded: Profile, cgmHistory: CGMHistoryStore? = nil) throws -> any VirtualDevice {
        let name = self.protocol ?? loaded.device.protocolName ?? SmokerProtocol.smartSmoker.rawValue
        let simulation: Simulation
        do {
            simulation = try Simulation(profile: loaded, seed: seed)
        } catch {
            throw ValidationFailure(message: error.description)
        }
        if cgmHistory != nil && name != CGMJSONLCodec.protocolName {
            throw ValidationError("--nightscout needs a CGM profile (protocol cgm-jsonl), not \(name)")
        }
        if let smoker = SmokerProtocol(rawValue: name) {
            return SmokerDevice(simulation: simulation, protocol: smoker)
        }
        if name == CGMJSONLCodec.protocolName {
            do {
                return try CGMDevice(simulation: simulation, subscribers: cgmHistory.map { [$0.subscriber] } ?? [])
            } catch {
                throw ValidationFailure(message: error.message)
            }
        }
        throw ValidationError("unknown protocol '\(name)' (known: smart-smoker, heatermeter, cgm-jsonl)")
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
