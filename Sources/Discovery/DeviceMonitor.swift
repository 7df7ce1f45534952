import CUdev
import Foundation
import Synchronization

/// Watches hotplug through a udev monitor on its own thread, bridged into an `AsyncStream`.
///
/// `present` lists the devices there when the monitor started (the monitor is listening before
/// that enumeration, so nothing falls between the two); the stream then follows live events. A `remove` carries the record last seen for that syspath, identity included, since
/// sysfs is gone by then. `stop()` (or dropping the stream) ends the thread.
public final class DeviceMonitor: Sendable {
    /// The events after `present`, single consumer.
    public let events: AsyncStream<DeviceEvent>
    /// The devices present when the monitor started.
    public let present: [HostDevice]

    private let continuation: AsyncStream<DeviceEvent>.Continuation
    private let stopPipe: (read: Int32, write: Int32)
    private let stopped = Atomic<Bool>(false)

    /// Starts the monitor thread for the given kinds.
    public init(kinds: Set<DeviceKind> = Set(DeviceKind.allCases), bufferLimit: Int = 1024) throws(DiscoveryError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw DiscoveryError(.monitor, "pipe failed: errno \(errno)") }
        stopPipe = (fds[0], fds[1])
        let (stream, continuation) = AsyncStream<DeviceEvent>.makeStream(bufferingPolicy: .bufferingOldest(bufferLimit))
        events = stream
        self.continuation = continuation

        let source: MonitorSource
        do {
            source = try MonitorSource(kinds: kinds)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        do {
            present = try DeviceEnumerator.devices(kinds: kinds)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        let stopRead = fds[0]
        let known = Dictionary(present.map { ($0.syspath, $0) }, uniquingKeysWith: { first, _ in first })
        continuation.onTermination = { [weak self] _ in self?.stop() }
        let thread = Thread {
            source.run(stopFD: stopRead, known: known, into: continuation)
            close(stopRead)
        }
        thread.name = "devbridge-udev-monitor"
        thread.start()
    }

    /// Stops the thread and finishes the stream. Safe to call more than once.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
        close(stopPipe.write)
        continuation.finish()
    }

    deinit { stop() }
}

/// The libudev side of the monitor: owned by the monitor thread once started.
private final class MonitorSource: @unchecked Sendable {
    private let udev: OpaquePointer
    private let monitor: OpaquePointer
    private let kinds: Set<DeviceKind>

    init(kinds: Set<DeviceKind>) throws(DiscoveryError) {
        guard let udev = udev_new() else { throw DiscoveryError(.udev, "udev_new failed") }
        guard let monitor = udev_monitor_new_from_netlink(udev, "udev") else {
            udev_unref(udev)
            throw DiscoveryError(.monitor, "cannot open the udev netlink monitor")
        }
        for kind in kinds { udev_monitor_filter_add_match_subsystem_devtype(monitor, kind.subsystem, nil) }
        guard udev_monitor_enable_receiving(monitor) >= 0 else {
            udev_monitor_unref(monitor)
            udev_unref(udev)
            throw DiscoveryError(.monitor, "udev_monitor_enable_receiving failed")
        }
        self.udev = udev
        self.monitor = monitor
        self.kinds = kinds
    }

    deinit {
        udev_monitor_unref(monitor)
        udev_unref(udev)
    }

    func run(stopFD: Int32, known: [String: HostDevice], into continuation: AsyncStream<DeviceEvent>.Continuation) {
        var known = known
        let monitorFD = udev_monitor_get_fd(monitor)
        var pollFDs = [
            pollfd(fd: monitorFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&pollFDs, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if pollFDs[1].revents != 0 { break }
            guard pollFDs[0].revents & Int16(POLLIN) != 0 else { continue }
            guard let device = udev_monitor_receive_device(monitor) else { continue }
            defer { udev_device_unref(device) }
            guard let event = event(for: device, known: &known) else { continue }
            continuation.yield(event)
        }
        continuation.finish()
    }

    private func event(for device: OpaquePointer, known: inout [String: HostDevice]) -> DeviceEvent? {
        let action = UdevDevice.string(udev_device_get_action(device)) ?? "change"
        let syspath = UdevDevice.string(udev_device_get_syspath(device)) ?? ""
        if action == "remove" {
            if let last = known.removeValue(forKey: syspath) { return DeviceEvent(.remove, last) }
            guard let kind = UdevDevice.kind(of: device, removed: true), kinds.contains(kind) else { return nil }
            return DeviceEvent(.remove, UdevDevice.hostDevice(device, kind: kind))
        }
        guard let kind = UdevDevice.kind(of: device), kinds.contains(kind) else { return nil }
        let record = UdevDevice.hostDevice(device, kind: kind)
        let previous = known.updateValue(record, forKey: syspath)
        switch action {
        case "add":
            // Seen by the enumeration already: not new.
            return previous == record ? nil : DeviceEvent(previous == nil ? .add : .change, record)
        case "change": return DeviceEvent(.change, record)
        default: return previous == nil ? DeviceEvent(.add, record) : DeviceEvent(.other, record)
        }
    }
}
