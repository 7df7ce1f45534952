import DevicePort
import Logging
import SerialIO
import ServiceLifecycle
import Simulation
import Synchronization
import Traces
import VirtualDevices

/// One virtual device on a PTY, as `devbridge sim` runs it: the device (from the
/// ``DeviceCatalog``), its ``VirtualDeviceRunner``, an optional trace, Nightscout server and
/// status reporter. Run ``services`` in one `ServiceGroup`; call ``close()`` after it ends.
public struct SimSession: Sendable {
    /// A Nightscout API for a CGM device.
    public struct Nightscout: Sendable {
        public var host: String
        public var port: Int
        public var apiSecret: String
        /// What clients may do without the secret.
        public var authDefault: NightscoutAuthDefault

        public init(host: String, port: Int, apiSecret: String, authDefault: NightscoutAuthDefault = .readable) {
            self.host = host
            self.port = port
            self.apiSecret = apiSecret
            self.authDefault = authDefault
        }
    }

    /// What to run.
    public struct Options: Sendable {
        /// The profile as the user gave it (path or shipped name), reported in status lines.
        public var profileSource: String
        /// Protocol name; nil: the profile's `device.protocol`, else ``DeviceCatalog/defaultProtocol``.
        public var protocolName: String?
        /// nil: the profile's seed.
        public var seed: UInt64?
        /// PTY symlink; nil: ``PTYLink/defaultPath(name:)`` for the profile's name.
        public var link: String?
        public var speed: SimulationSpeed
        public var resetOnOpen: Bool
        public var emulateBaudMismatch: Bool
        /// pcapng file recording the session.
        public var trace: String?
        /// Serve the CGM readings as a Nightscout API.
        public var nightscout: Nightscout?
        /// Emit a ``ChildDeviceProtocol`` status line this often.
        public var statusInterval: Duration?
        /// Serve the device over the service's child pipe instead of a PTY (`sim --serve-stdio`):
        /// device output goes here as ``ChildDeviceProtocol`` `data:` lines, and ``handle(line:)``
        /// takes the service's `:data` and `:port` lines.
        public var pipe: (@Sendable (String) -> Void)?

        public init(
            profileSource: String, protocolName: String? = nil, seed: UInt64? = nil, link: String? = nil,
            speed: SimulationSpeed = .factor(1), resetOnOpen: Bool = true, emulateBaudMismatch: Bool = true,
            trace: String? = nil, nightscout: Nightscout? = nil, statusInterval: Duration? = nil
        ) {
            self.profileSource = profileSource
            self.protocolName = protocolName
            self.seed = seed
            self.link = link
            self.speed = speed
            self.resetOnOpen = resetOnOpen
            self.emulateBaudMismatch = emulateBaudMismatch
            self.trace = trace
            self.nightscout = nightscout
            self.statusInterval = statusInterval
            self.pipe = nil
        }
    }

    /// Reported once the PTY exists.
    public struct Ready: Sendable {
        /// The profile's name.
        public var name: String
        /// The protocol the device speaks.
        public var protocolName: String
        public var endpoint: VirtualDeviceRunner.Endpoint
    }

    /// What a command line from the user did (``handle(line:)``).
    public enum LineResult: Sendable, Equatable {
        /// A `:clock …` command; the text after the prefix.
        case clock(String)
        /// An event injected into the simulation.
        case event
        /// A `:data` or `:port` line of the service's child pipe, relayed to the device.
        case port
    }

    /// The profile's name.
    public let name: String
    /// The PTY symlink.
    public let linkPath: String
    public let runner: VirtualDeviceRunner
    /// Run these in one `ServiceGroup`: the runner, then the status reporter and Nightscout server if asked for.
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]
    private let recorder: TraceRecorder?
    /// The attachment of the child pipe (``Options/pipe``).
    private let pipe: DevicePortAttachment?

    /// Builds the device and the services around it. Nothing runs until ``services`` do.
    ///
    /// - Parameters:
    ///   - onReady: called once the PTY exists.
    ///   - onNightscout: called with the Nightscout server's bound host and port.
    ///   - onStatus: receives each status line (with `statusInterval`).
    /// - Throws: ``ServiceError`` (`badRequest` for options that do not fit the profile, `startFailed` otherwise), or `TraceError` when the trace file cannot be created.
    public init(
        profile: Profile, options: Options, logger: Logger, catalog: DeviceCatalog = .standard,
        onReady: @escaping @Sendable (Ready) -> Void,
        onNightscout: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in },
        onStatus: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        let cgmHistory = options.nightscout.map { _ in CGMHistoryStore() }
        let device = try Self.makeDevice(
            profile, protocolName: options.protocolName, seed: options.seed, cgmHistory: cgmHistory, catalog: catalog)
        let linkPath: String
        if let link = options.link {
            linkPath = link
        } else {
            do {
                linkPath = try PTYLink.defaultPath(name: profile.name)
            } catch {
                throw ServiceError(.startFailed, "\(error)")
            }
        }
        let name = profile.name
        let protocolName = device.protocolName
        let recorder = try options.trace.map { path throws(TraceError) in try TraceRecorder(path: path) }
        let tap = recorder.map {
            TraceTap(recorder: $0, name: linkPath, description: "devbridge sim \(name) (\(protocolName))")
        }
        let baud = Mutex<Int?>(nil)  // the PTY's, once it is open (for the status reporter)
        var runnerOptions = VirtualDeviceRunner.Options(
            link: linkPath, speed: options.speed, resetOnOpen: options.resetOnOpen,
            emulateBaudMismatch: options.emulateBaudMismatch, trace: tap)
        runnerOptions.pty = options.pipe == nil
        let runner = VirtualDeviceRunner(
            name: name, device: device, options: runnerOptions, logger: logger
        ) { endpoint in
            baud.withLock { $0 = endpoint.lineSettings.baud }
            onReady(Ready(name: name, protocolName: protocolName, endpoint: endpoint))
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: runner)]
        if let interval = options.statusInterval {
            var configuration = VirtualDeviceConfiguration(name: name, profile: options.profileSource)
            configuration.speed = options.speed
            let reporter = DeviceStatusReporter(
                runner: runner, configuration: configuration, interval: interval,
                baud: { baud.withLock { $0 } }, emit: onStatus)
            services.append(.init(service: reporter))
        }
        if let nightscout = options.nightscout, let cgmHistory {
            let routes = NightscoutRoutes(
                store: cgmHistory, secret: NightscoutSecret(nightscout.apiSecret), authDefault: nightscout.authDefault,
                name: name,
                inject: { event in try runner.inject(event) })
            let server = NightscoutServer(
                host: nightscout.host, port: nightscout.port, routes: routes, logger: logger, onReady: onNightscout)
            services.append(.init(service: server))
        }
        self.name = name
        self.linkPath = linkPath
        self.runner = runner
        self.services = services
        self.recorder = recorder
        pipe = options.pipe.flatMap { runner.port.attach(ChildPipeEndpoint(write: $0), label: "service") }
    }

    /// Builds the device a profile describes, speaking `protocolName` (nil: the profile's, else
    /// the default) through the catalog. A CGM device feeds `cgmHistory` when given.
    public static func makeDevice(
        _ profile: Profile, protocolName: String?, seed: UInt64?, cgmHistory: CGMHistoryStore? = nil,
        catalog: DeviceCatalog = .standard
    ) throws(ServiceError) -> any VirtualDevice {
        let name = DeviceCatalog.protocolName(requested: protocolName, profile: profile)
        let simulation: Simulation
        do {
            simulation = try Simulation(profile: profile, seed: seed)
        } catch {
            throw ServiceError(.startFailed, error.description)
        }
        if cgmHistory != nil && name != CGMJSONLCodec.protocolName {
            throw ServiceError(.badRequest, "--nightscout needs a CGM profile (protocol cgm-jsonl), not \(name)")
        }
        let entry: DeviceCatalog.Entry
        do {
            entry = try catalog.entry(named: name)
        } catch {
            throw ServiceError(.badRequest, error.message)
        }
        do {
            return try entry.make(simulation, DeviceOptions(cgmSubscribers: cgmHistory.map { [$0.subscriber] } ?? []))
        } catch {
            throw ServiceError(.startFailed, "\(error)")
        }
    }

    /// Applies a line typed by the user: `:clock pause|resume|speed X|advance SECONDS`, or an
    /// event command (`lid_open duration=90s`, `setpoint 250F`, …).
    public func handle(line: String) throws -> LineResult {
        if let pipe, let input = try ChildDeviceProtocol.portInput(fromLine: line) {
            switch input {
            case .data(let endpoint, let bytes): pipe.send(bytes, relayedFrom: endpoint)
            case .event(let endpoint, let event): pipe.signal(event, relayedFrom: endpoint)
            }
            return .port
        }
        if let action = try ChildDeviceProtocol.clockAction(fromLine: line) {
            try runner.apply(action)
            return .clock(String(line.dropFirst(ChildDeviceProtocol.clockPrefix.count)))
        }
        let event = try EventCommand.parse(line)
        try runner.inject(event)
        return .event
    }

    /// Closes the trace (after the services have stopped).
    public func close() {
        recorder?.close()
    }
}

/// The child's end of the pipe to the service: device output becomes `data:` lines on stdout.
final class ChildPipeEndpoint: DevicePortEndpoint {
    let write: @Sendable (String) -> Void
    init(write: @escaping @Sendable (String) -> Void) { self.write = write }

    func deviceOutput(_ bytes: [UInt8]) -> WriteResult {
        write(ChildDeviceProtocol.dataLine(bytes))
        return WriteResult(written: bytes.count, dropped: 0)
    }
}
