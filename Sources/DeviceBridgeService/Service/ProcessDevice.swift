import Foundation
import Logging
import Simulation
import Synchronization
import VirtualDevices

/// A virtual device in a child process: `devbridge sim` under `prlimit` memory and CPU limits,
/// restarted with exponential backoff when it dies. Its crash touches no other device.
///
/// Events and clock commands go to the child's stdin as command lines, and the child reports its
/// live state (readings, clock, counters, recent events) every second on stdout: the line
/// protocol is ``ChildDeviceProtocol``.
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
        var exportsStarted = false
        /// The child's last status report.
        var live: DeviceSnapshot?
    }
    private let state = Mutex(State())

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
    public func commandLine(link: String) -> [String] {
        var arguments = [
            executable, "sim", configuration.profile, "--link", link, "--log-level", "warning",
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
        let link: String
        do {
            link = try EmbeddedDevice.linkPath(configuration)
        } catch {
            state.withLock {
                $0.status = .failed
                $0.error = error.description
            }
            return
        }
        state.withLock {
            $0.stopping = false
            $0.status = .starting
            $0.error = nil
        }
        let task = Task { await self.superviseChild(link: link) }
        state.withLock { $0.task = task }
    }

    /// Runs the child until stopped, restarting it with backoff after each exit.
    private func superviseChild(link: String) async {
        var backoff = limits.initialBackoff
        while !Task.isCancelled && !state.withLock({ $0.stopping }) {
            let started = ContinuousClock.now
            let status = await runChild(link: link)
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
    private func runChild(link: String) async -> String {
        let command = commandLine(link: link)
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
            for line in lines { self?.childSaid(line, link: link) }
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

    /// Handles one line of the child's stdout: the PTY banner or a status report.
    private func childSaid(_ line: String, link: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("pty:") {
            childReady(pty: String(trimmed.dropFirst(4)).trimmingCharacters(in: .whitespaces), link: link)
        } else if let live = ChildDeviceProtocol.status(fromLine: trimmed) {
            state.withLock { $0.live = live }
        }
    }

    private func childReady(pty: String, link: String) {
        let startExports = state.withLock { state -> Bool in
            state.status = .running
            state.pty = pty
            defer { state.exportsStarted = true }
            return !state.exportsStarted
        }
        guard startExports else { return }
        let backend = exportBackend
        let exports = exports
        for export in exports { export.markStarting() }
        Task {
            for export in exports { await export.start(backend: backend, devicePath: link, baud: nil, trace: nil) }
        }
    }

    public func stop() async {
        for export in exports { await export.stop() }
        let (task, process) = state.withLock { state -> (Task<Void, Never>?, Process?) in
            state.stopping = true
            state.exportsStarted = false
            return (state.task, state.process)
        }
        if let process, process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        task?.cancel()
        await task?.value
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
            try stdin.write(contentsOf: Data((line + "\n").utf8))
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
