import Discovery
import Foundation
import Logging
import SerialIO
import ServiceLifecycle
import VirtualDevices

/// Owns every device and host export of a ``ServiceConfiguration``: starts them, stops them,
/// and applies a new configuration by restarting only what changed.
///
/// A `Service`: `run()` starts everything, waits for graceful shutdown (SIGTERM/SIGINT) and then
/// stops every device (exports closed, PTY links removed, traces flushed).
public actor DeviceSupervisor: Service {
    /// What a reload did, by device or export name.
    public struct ReloadSummary: Sendable, Codable, Equatable {
        public var started: [String] = []
        public var stopped: [String] = []
        public var restarted: [String] = []
        public var unchanged: [String] = []
        /// Settings that need a restart of the service to change (the API listener).
        public var needsRestart: [String] = []
    }

    /// How devices are made.
    public struct Environment: Sendable {
        public var factory: DeviceFactory
        public var exportBackend: any ExportBackend
        /// The devbridge executable for process-isolated devices.
        public var executable: String
        public var logger: Logger

        /// Creates an environment.
        public init(
            factory: DeviceFactory = .standard, exportBackend: any ExportBackend = SerialBridgeExportBackend(),
            executable: String = DeviceSupervisor.currentExecutable, logger: Logger = Logger(label: "devbridge.serve")
        ) {
            self.factory = factory
            self.exportBackend = exportBackend
            self.executable = executable
            self.logger = logger
        }
    }

    /// The running executable (`/proc/self/exe`), used to re-execute `devbridge sim`.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    public private(set) var configuration: ServiceConfiguration
    private let environment: Environment
    /// Every device by name, for synchronous readers.
    public nonisolated let directory = DeviceDirectory()
    /// The device on the Nightscout-compatible routes (fixed for the life of the process).
    public nonisolated let nightscoutDeviceName: String?
    /// Its CGM entries (kept across its restarts).
    public nonisolated let cgmStore: CGMHistoryStore?
    private var devices: [String: any ManagedDevice] = [:]
    private var order: [String] = []
    private var hostExports: [String: (HostExportConfiguration, ExportHandle)] = [:]
    private var hostOrder: [String] = []
    /// For exports selected by a udev `match:` rule: the task keeping a symlink on the matched device.
    private var matchFollowers: [String: Task<Void, Never>] = [:]
    /// True once the first start pass is over.
    public private(set) var started = false
    private var onStarted: [CheckedContinuation<Void, Never>] = []

    /// Creates a supervisor; nothing runs until ``run()`` or ``startAll()``.
    public init(configuration: ServiceConfiguration, environment: Environment = Environment()) {
        self.configuration = configuration
        self.environment = environment
        nightscoutDeviceName = configuration.nightscoutDevice?.name
        cgmStore = configuration.nightscoutDevice == nil ? nil : CGMHistoryStore()
    }

    public func run() async throws {
        await startAll()
        try? await gracefulShutdown()
        await stopAll()
    }

    /// Waits until the first start pass is over.
    public func waitUntilStarted() async {
        if started { return }
        await withCheckedContinuation { onStarted.append($0) }
    }

    /// Starts every configured device (those with `autostart`) and host export.
    public func startAll() async {
        for device in configuration.devices {
            let managed = makeDevice(device)
            devices[device.name] = managed
            order.append(device.name)
            if device.autostart { await managed.start() }
        }
        for export in configuration.hostExports { await startHostExport(export) }
        started = true
        for waiter in onStarted { waiter.resume() }
        onStarted = []
    }

    /// Stops everything, in reverse order.
    public func stopAll() async {
        for name in hostOrder.reversed() { await stopHostExport(name) }
        for name in order.reversed() { await devices[name]?.stop() }
        environment.logger.info("all devices stopped")
    }

    private func makeDevice(_ device: VirtualDeviceConfiguration) -> any ManagedDevice {
        let managed: any ManagedDevice
        switch device.isolation {
        case .embedded:
            // The Nightscout store subscribes to the Nightscout device's readings.
            let store = device.nightscout && device.name == nightscoutDeviceName ? cgmStore : nil
            let resources = DeviceResources(cgmSubscribers: store.map { [$0.subscriber] } ?? [])
            managed = EmbeddedDevice(
                configuration: device, factory: environment.factory, exportBackend: environment.exportBackend,
                logger: environment.logger, resources: resources)
        case .process:
            managed = ProcessDevice(
                configuration: device, executable: environment.executable, exportBackend: environment.exportBackend,
                logger: environment.logger)
        }
        directory.set(device.name, managed)
        return managed
    }

    private func startHostExport(_ export: HostExportConfiguration) async {
        let handle = ExportHandle(name: export.name, spec: export.export)
        hostExports[export.name] = (export, handle)
        if !hostOrder.contains(export.name) { hostOrder.append(export.name) }
        switch export.selector {
        case .path(let path):
            await handle.start(
                backend: environment.exportBackend, source: .path(path), baud: export.baud, trace: export.trace)
        case .match(let fields):
            // The export serves a symlink that follows the matched device by identity across
            // replugs and new ttyUSB numbers; the export itself waits while it is absent.
            do {
                let rule = try DeviceMatch(fields: fields)
                let link = try PTYLink.defaultPath(name: "match-\(export.name)")
                let follower = MatchedDeviceLink(rule: rule, linkPath: link, logger: environment.logger)
                let logger = environment.logger
                matchFollowers[export.name] = Task {
                    do {
                        try await follower.run()
                    } catch {
                        logger.error("udev match stopped", metadata: ["export": "\(export.name)", "error": "\(error)"])
                    }
                }
                await handle.start(
                    backend: environment.exportBackend, source: .path(link), baud: export.baud, trace: export.trace)
            } catch {
                handle.markUnavailable("\(error)")
            }
        }
    }

    /// Stops a host export and, for a `match:` export, its device follower.
    private func stopHostExport(_ name: String) async {
        await hostExports[name]?.1.stop()
        matchFollowers.removeValue(forKey: name)?.cancel()
    }

    /// Applies `new`: devices and exports whose configuration is equal keep running untouched.
    @discardableResult
    public func reload(_ new: ServiceConfiguration) async -> ReloadSummary {
        var summary = ReloadSummary()
        if new.api.listen != configuration.api.listen { summary.needsRestart.append("api.listen") }
        if new.api.effectiveNightscoutSecret != configuration.api.effectiveNightscoutSecret {
            summary.needsRestart.append("api.nightscout_secret")
        }
        if new.nightscout != configuration.nightscout { summary.needsRestart.append("nightscout.auth_default") }
        if new.nightscoutDevice?.name != nightscoutDeviceName {
            summary.needsRestart.append("devices.*.nightscout")
        }
        let newNames = Set(new.devices.map(\.name))
        for name in order where !newNames.contains(name) {
            await devices[name]?.stop()
            devices[name] = nil
            directory.set(name, nil)
            summary.stopped.append(name)
        }
        order.removeAll { !newNames.contains($0) }
        for device in new.devices {
            if let existing = devices[device.name] {
                if existing.configuration == device {
                    summary.unchanged.append(device.name)
                    continue
                }
                await existing.stop()
                summary.restarted.append(device.name)
            } else {
                order.append(device.name)
                summary.started.append(device.name)
            }
            let managed = makeDevice(device)
            devices[device.name] = managed
            if device.autostart { await managed.start() }
        }
        let newExports = Dictionary(new.hostExports.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in hostOrder {
            guard let (old, _) = hostExports[name] else { continue }
            if newExports[name] != old {
                await stopHostExport(name)
                hostExports[name] = nil
                if newExports[name] == nil { summary.stopped.append("exports.\(name)") }
            }
        }
        hostOrder.removeAll { newExports[$0] == nil }
        for export in new.hostExports {
            if hostExports[export.name] != nil {
                summary.unchanged.append("exports.\(export.name)")
            } else {
                summary.started.append("exports.\(export.name)")
                await startHostExport(export)
            }
        }
        // Keep the listener and the Nightscout secret: they cannot change without a restart.
        var applied = new
        applied.api.listen = configuration.api.listen
        applied.api.nightscoutSecret = configuration.api.nightscoutSecret
        configuration = applied
        environment.logger.notice(
            "configuration reloaded",
            metadata: [
                "started": "\(summary.started)", "stopped": "\(summary.stopped)", "restarted": "\(summary.restarted)",
                "unchanged": "\(summary.unchanged)",
            ])
        return summary
    }

    /// The device called `name`.
    public func device(named name: String) throws(ServiceError) -> any ManagedDevice {
        guard let device = devices[name] else {
            throw ServiceError(.notFound, "no device named '\(name)' (devices: \(order.joined(separator: ", ")))")
        }
        return device
    }

    /// Every device, in configuration order.
    public func allDevices() -> [any ManagedDevice] { order.compactMap { devices[$0] } }

    /// Snapshots of every device, in configuration order.
    public func snapshots() async -> [DeviceSnapshot] {
        var result: [DeviceSnapshot] = []
        for device in allDevices() { result.append(await device.snapshot()) }
        return result
    }

    /// Every export: those of virtual devices, then host exports.
    public func exportSnapshots() async -> [ExportSnapshot] {
        var result: [ExportSnapshot] = []
        for device in await snapshots() { result += device.exports }
        for name in hostOrder {
            if let (_, handle) = hostExports[name] { result.append(await handle.snapshot()) }
        }
        return result
    }

    /// Starts a stopped device.
    public func start(_ name: String) async throws(ServiceError) {
        let device = try device(named: name)
        await device.start()
    }

    /// Stops a running device.
    public func stop(_ name: String) async throws(ServiceError) {
        let device = try device(named: name)
        await device.stop()
    }
}
