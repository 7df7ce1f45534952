import DevicePort
import Foundation
import Logging
import SerialIO
import Simulation
import Synchronization
import VirtualDevices

/// A virtual device in a child process: `devbridge sim` under `prlimit` memory and CPU limits,
/// restarted with exponential backoff when it dies. Its crash touches no other device.
///
/// The service holds the device's port, its PTY link and its exports, exactly as for an embedded
/// device; the child runs only the device (`sim --serve-stdio`, no PTY). Device output, client
/// bytes and client events (opens, settings, DTR) cross the child's stdin and stdout, with events,
/// clock commands and the child's live state every second: the line protocol is
/// ``ChildDeviceProtocol``. The link and the exports stay up while the child restarts, as a
/// port stays while its board reboots.
public final class ProcessDevice: ManagedDevice {
    public let configuration: VirtualDeviceConfiguration
    private let executable: String
    private let logger: Logger
    private let exportBackend: any ExportBackend
    private let exports: [ExportHandle]
    private let limits: ProcessLimits
    private let profileModel: String?
    private let profileProtocol: String?

    private struct State {
        var status = DeviceStatus.stopped
        var error: String?
        var pid: Int?
        var pty: String?
        var restarts = 0
        var stopping = false
        var process: Process?
        var stdin: FileHandle?
        var task: Task<Void, Never>?
        var port: DevicePort?
        var link: PTYLinkEndpoint?
        /// The child's last status report.
        var live: DeviceSnapshot?
    }
    private let state = Mutex(State())
    /// Held while a line is written to the child, so lines from several threads never interleave.
    private let stdinWrite = Mutex(())

    /// Creates a stopped device that will run `executable sim …`.
    public init(
        configuration: VirtualDeviceConfiguration, executable: String, exportBackend: any ExportBackend, logger: Logger
    ) {
        self.configuration = configuration
        self.executable = executable
        self.exportBackend = exportBackend
        self.logger = logger
        if case .process(let limits) = configuration.isolation {
            self.limits = limits
        } else {
            limits = ProcessLimits()
        }
        exports = configuration.exports.map { ExportHandle(name: "\(configuration.name)/\($0.mode)", spec: $0) }
        let profile = try? ProfileFiles.load(configuration.profile)
        profileModel = profile?.model?.type
        profileProtocol = profile?.device.protocolName
    }

    public var runner: VirtualDeviceRunner? { nil }
    public var isActive: Bool { state.withLock { $0.status.isActive } }

    /// The command line of the child (prlimit wrapper included when available).
    public func commandLine() -> [String] {
        var arguments = [
            executable, "sim", configuration.profile, "--serve-stdio", "--log-level", "warning",
            "--status-interval", "1",
        ]
        if case .factor(let factor) = configuration.speed { arguments += ["--speed", String(factor)] }
        if let name = configuration.protocolName { arguments += ["--protocol", name] }
        if let seed = configuration.seed { arguments += ["--seed", String(seed)] }
        if !configuration.resetOnOpen { arguments.append("--no-reset-on-open") }
        if !configuration.emulateBaudMismatch { arguments.append("--no-baud-mismatch") }
        if let trace = configuration.trace { arguments += ["--trace", trace] }
        let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let prlimit, limits.memoryBytes != nil || limits.cpuSeconds != nil else { return arguments }
        var wrapper = [prlimit]
        if let memory = limits.memoryBytes { wrapper.append("--data=\(memory)") }
        if let cpu = limits.cpuSeconds { wrapper.append("--cpu=\(cpu)") }
        return wrapper + ["--"] + arguments
    }

    public func start() async {
        guard state.withLock({ $0.task == nil }) else { return }
        let port: DevicePort
        let link: PTYLinkEndpoint
        do {
            let path = try EmbeddedDevice.linkPath(configuration)
            port = DevicePort(name: configuration.name, lineSettings: try deviceLineSettings())
            port.setProvider(ChildPortBridge { [weak self] line in try? self?.send(line, what: "client input") })
            link = try await PTYLinkEndpoint.open(
                port: port, link: path, emulateLineMismatch: configuration.emulateBaudMismatch, logger: logger)
        } catch {
            state.withLock {
                $0.status = .failed
                $0.error = "\(error)"
            }
            return
        }
        state.withLock {
            $0.stopping = false
            $0.status = .starting
            $0.error = nil
            $0.port = port
            $0.link = link
            $0.pty = link.slavePath
        }
        let backend = exportBackend
        let exports = exports
        let source = ExportSource.port(port, emulateBaudMismatch: configuration.emulateBaudMismatch)
        for export in exports { export.markStarting() }
        let task = Task {
            for export in exports { await export.start(backend: backend, source: source, baud: nil, trace: nil) }
            await self.superviseChild(port: port)
        }
        state.withLock { $0.task = task }
    }

    /// The line settings of the protocol the child will speak.
    private func deviceLineSettings() throws -> LineSettings {
        let name = configuration.protocolName ?? profileProtocol ?? DeviceCatalog.defaultProtocol
        return LineSettings(baud: try DeviceCatalog.standard.entry(named: name).lineSettings.baud)
    }

    /// Runs the child until stopped, restarting it with backoff after each exit.
    private func superviseChild(port: DevicePort) async {
        var backoff = limits.initialBackoff
        while !Task.isCancelled && !state.withLock({ $0.stopping }) {
            let started = ContinuousClock.now
            let status = await runChild(port: port)
            port.setModemStatus([])
            if state.withLock({ $0.stopping }) || Task.isCancelled { break }
            if ContinuousClock.now - started > .seconds(30) { backoff = limits.initialBackoff }
            logger.warning(
                "device process exited (\(status)); restarting in \(backoff) s",
                metadata: ["device": "\(configuration.name)"])
            state.withLock {
                $0.status = .restarting
                $0.error = "child exited: \(status)"
                $0.pid = nil
                $0.restarts += 1
            }
            try? await Task.sleep(for: .seconds(backoff))
            backoff = min(limits.maxBackoff, backoff * 2)
        }
    }

    /// Starts one child and waits for it to exit; returns how it ended.
    private func runChild(port: DevicePort) async -> String {
        let command = commandLine()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        let exited = AsyncStream<String>.makeStream()
        process.terminationHandler = { process in
            let reason =
                process.terminationReason == .uncaughtSignal
                ? "signal \(process.terminationStatus)" : "status \(process.terminationStatus)"
            exited.continuation.yield(reason)
            exited.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            return "could not start \(command[0]): \(error)"
        }
        state.withLock {
            $0.process = process
            $0.stdin = input.fileHandleForWriting
            $0.pid = Int(process.processIdentifier)
        }
        let pending = Mutex([UInt8]())  // a line the last read cut short
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            let lines = pending.withLock { pending -> [String] in
                pending += data
                guard let last = pending.lastIndex(of: UInt8(ascii: "\n")) else {
                    if pending.count > 1 << 20 { pending.removeAll() }  // no line is that long: drop it
                    return []
                }
                let complete = pending[..<last].split(separator: UInt8(ascii: "\n"))
                pending.removeSubrange(...last)
                return complete.map { String(decoding: $0, as: UTF8.self) }
            }
            for line in lines { self?.childSaid(line, port: port) }
        }
        var reason = "unknown"
        for await ending in exited.stream { reason = ending }
        output.fileHandleForReading.readabilityHandler = nil
        state.withLock {
            $0.process = nil
            $0.stdin = nil
        }
        return reason
    }

    /// Handles one line of the child's stdout: device output, the ready banner or a status report.
    private func childSaid(_ line: String, port: DevicePort) {
        if let bytes = ChildDeviceProtocol.data(fromLine: line) {
            port.emit(bytes)
        } else if line.hasPrefix(ChildDeviceProtocol.readyPrefix) {
            state.withLock { $0.status = .running }
            port.setModemStatus(VirtualDeviceRunner.modemStatus)
        } else if let live = ChildDeviceProtocol.status(fromLine: line) {
            state.withLock { $0.live = live }
            if let baud = live.baud, baud != port.lineSettings.baud, baud > 0 {
                port.setLineSettings(LineSettings(baud: baud))
            }
        }
    }

    public func stop() async {
        for export in exports { await export.stop() }
        let (task, process, port, link) = state.withLock { state in
            state.stopping = true
            defer {
                state.port = nil
                state.link = nil
            }
            return (state.task, state.process, state.port, state.link)
        }
        if let process, process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        task?.cancel()
        await task?.value
        port?.close()
        await link?.close()
        state.withLock {
            $0.task = nil
            $0.pid = nil
            $0.pty = nil
            $0.live = nil
            if $0.status != .failed { $0.status = .stopped }
        }
    }

    public func inject(_ event: ModelEvent, command: String) throws(ServiceError) {
        try send(command, what: "the event")
    }

    public func controlClock(_ action: ClockAction) throws(ServiceError) {
        try DeviceSnapshot.checkClockControl(configuration)
        try action.validate()
        try send(ChildDeviceProtocol.commandLine(action), what: "the clock command")
        // Shown at once; the child's next report (within a second) confirms it.
        state.withLock { state in
            guard var clock = state.live?.clock else { return }
            switch action {
            case .pause: clock.paused = true
            case .resume: clock.paused = false
            case .speed(let factor): clock.speed = factor
            case .advance: break
            }
            state.live?.clock = clock
        }
    }

    /// Writes one command line to the child's stdin.
    private func send(_ line: String, what: String) throws(ServiceError) {
        guard let stdin = state.withLock({ $0.stdin }) else {
            throw ServiceError(.conflict, "device '\(configuration.name)' is not running")
        }
        do {
            try stdinWrite.withLock { _ in try stdin.write(contentsOf: Data((line + "\n").utf8)) }
        } catch {
            throw ServiceError(.conflict, "device '\(configuration.name)' did not take \(what): \(error)")
        }
    }

    public func snapshot() async -> DeviceSnapshot {
        let (status, error, pid, pty, restarts, live) = state.withLock {
            ($0.status, $0.error, $0.pid, $0.pty, $0.restarts, $0.live)
        }
        var snapshot = DeviceSnapshot(configuration: configuration, status: status)
        snapshot.error = error
        snapshot.pid = pid
        snapshot.pty = pty
        snapshot.restarts = restarts
        snapshot.link = try? EmbeddedDevice.linkPath(configuration)
        snapshot.model = profileModel
        snapshot.protocol = configuration.protocolName ?? profileProtocol ?? DeviceCatalog.defaultProtocol
        snapshot.eventTypes = EventCatalog.types(forModel: profileModel).map(\.name)
        if case .factor(let factor) = configuration.speed { snapshot.clock = .init(speed: factor, paused: false) }
        if let live { snapshot.fillLive(from: live) }
        for export in exports { snapshot.exports.append(await export.snapshot()) }
        return snapshot
    }
}

/// The service's end of the pipe to a process-isolated device: what the port's endpoints send
/// becomes `:data` and `:port` lines on the child's stdin (``ChildDeviceProtocol``).
final class ChildPortBridge: DevicePortProvider {
    let send: @Sendable (String) -> Void
    init(send: @escaping @Sendable (String) -> Void) { self.send = send }

    func portReceived(_ bytes: [UInt8], from endpoint: EndpointID) {
        send(ChildDeviceProtocol.inputLine(endpoint: endpoint.number, bytes))
    }

    func portEvent(_ event: PortEvent, from endpoint: EndpointID) {
        send(ChildDeviceProtocol.eventLine(endpoint: endpoint.number, event))
    }
}
