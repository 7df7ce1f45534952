import CLinuxSupport
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The one watcher of every ``PseudoTerminalEndpoint`` in the process: a
/// single inotify instance (one watch per slave node) and a single thread
/// that waits on it and polls each endpoint's termios on a shared timer.
///
/// Per endpoint this costs one inotify watch (counted against
/// `fs.inotify.max_user_watches`, large by default) and a table entry, not an
/// inotify instance (`fs.inotify.max_user_instances`, 128 by default) and a
/// thread each. Endpoints with the same poll interval are polled together:
/// their deadlines sit on a grid of that interval, so 1000 endpoints at
/// 100 ms cost ten wake-ups a second, not ten thousand.
///
/// The instance, its thread and a wake-up eventfd are created on the first
/// registration and kept for the life of the process (idle, the thread
/// blocks without a timeout).
final class PTYMonitor: Sendable {
    /// The process-wide monitor.
    static let shared = PTYMonitor()

    private struct Entry {
        let core: EndpointCore
        let intervalNanoseconds: UInt64
        var nextPoll: UInt64
    }

    private struct Registry: ~Copyable {
        var inotifyFD: Int32 = -1
        var wakeFD: Int32 = -1
        var entries: [Int32: Entry] = [:]
        /// When the thread will wake by itself (UInt64.max: never).
        var sleepingUntil = UInt64.max
    }

    private let registry = Mutex(Registry())
    private let logger = Logger(label: "devbridge.serialio.monitor")

    /// Endpoints being watched now.
    var watchCount: Int { registry.withLock { $0.entries.count } }

    /// Starts watching `core`'s slave for opens and closes and polling its
    /// termios every `pollInterval`. Returns the watch descriptor to pass to
    /// ``unregister(watch:)``. The caller's own accesses to the slave before
    /// this call are never reported.
    func register(_ core: EndpointCore, pollInterval: Duration) throws(SerialIOError) -> Int32 {
        let interval = UInt64(clamping: max(1_000_000, Self.nanoseconds(pollInterval)))
        let result: Result<Int32, SerialIOError> = registry.withLock { registry in
            do throws(SerialIOError) {
                try startIfNeeded(&registry, path: core.slavePath)
            } catch {
                return .failure(error)
            }
            // Added under the lock: the thread looks a watch up under it too,
            // after reading the event, so it never misses a fresh watch.
            let wd = devbridge_inotify_add_open_close_watch(registry.inotifyFD, core.slavePath)
            guard wd >= 0 else { return .failure(SystemLimits.watchError(path: core.slavePath, errno: -wd)) }
            let now = Self.now()
            let next = (now / interval + 1) * interval
            registry.entries[wd] = Entry(core: core, intervalNanoseconds: interval, nextPoll: next)
            if next < registry.sleepingUntil {
                registry.sleepingUntil = next
                _ = devbridge_eventfd_signal(registry.wakeFD)
            }
            return .success(wd)
        }
        return try result.get()
    }

    /// Stops watching and polling. Once it returns, no event of this watch
    /// is delivered any more (not even the caller's close of its slave).
    func unregister(watch wd: Int32) {
        registry.withLock { registry in
            guard registry.entries.removeValue(forKey: wd) != nil else { return }
            _ = devbridge_inotify_remove_watch(registry.inotifyFD, wd)
        }
    }

    private func startIfNeeded(_ registry: inout Registry, path: String) throws(SerialIOError) {
        guard registry.inotifyFD < 0 else { return }
        let inotifyFD = devbridge_inotify_open()
        guard inotifyFD >= 0 else { throw SystemLimits.inotifyInstanceError(path: path, errno: -inotifyFD) }
        let wakeFD = devbridge_eventfd_open()
        guard wakeFD >= 0 else {
            Glibc.close(inotifyFD)
            throw SerialIOError(
                code: .watchFailed, message: "cannot create the eventfd of the PTY monitor", path: path,
                errno: -wakeFD)
        }
        registry.inotifyFD = inotifyFD
        registry.wakeFD = wakeFD
        let thread = Thread { [self] in run(inotifyFD: inotifyFD, wakeFD: wakeFD) }
        thread.name = "devbridge-pty-monitor"
        thread.start()
    }

    // MARK: The thread

    private func run(inotifyFD: Int32, wakeFD: Int32) {
        let capacity = 768
        var wds = [Int32](repeating: 0, count: capacity)
        var kinds = [Int32](repeating: 0, count: capacity)
        var due: [EndpointCore] = []
        while true {
            let timeout: Int32 = registry.withLock { registry in
                guard registry.sleepingUntil != UInt64.max else { return -1 }
                let now = Self.now()
                guard registry.sleepingUntil > now else { return 0 }
                return Int32(clamping: (registry.sleepingUntil - now + 999_999) / 1_000_000)
            }
            let ready = devbridge_wait_readable2(inotifyFD, wakeFD, timeout)
            if ready > 0, ready & 2 != 0 { _ = devbridge_eventfd_drain(wakeFD) }
            if ready > 0, ready & 1 != 0 {
                while true {
                    let count = Int(devbridge_inotify_read_watches(inotifyFD, &wds, &kinds, Int32(capacity)))
                    guard count > 0 else { break }
                    deliver(wds: wds[0..<count], kinds: kinds[0..<count])
                }
            }
            // Poll the endpoints that are due, outside the registry's lock.
            due.removeAll(keepingCapacity: true)
            registry.withLock { registry in
                let now = Self.now()
                var earliest = UInt64.max
                // In place, by index: iterating a copy while mutating would copy the table.
                var index = registry.entries.values.startIndex
                while index != registry.entries.values.endIndex {
                    let entry = registry.entries.values[index]
                    var next = entry.nextPoll
                    if next <= now {
                        due.append(entry.core)
                        next = (now / entry.intervalNanoseconds + 1) * entry.intervalNanoseconds
                        registry.entries.values[index].nextPoll = next
                    }
                    earliest = min(earliest, next)
                    registry.entries.values.formIndex(after: &index)
                }
                registry.sleepingUntil = earliest
            }
            for core in due { core.pollLineSettings() }
        }
    }

    private func deliver(wds: ArraySlice<Int32>, kinds: ArraySlice<Int32>) {
        let cores: [EndpointCore?] = registry.withLock { registry in
            wds.map { registry.entries[$0]?.core }
        }
        for (index, kind) in zip(kinds.indices, kinds) {
            if kind == Int32(DEVBRIDGE_WATCH_OVERFLOW) {
                logger.warning(
                    "inotify queue overflowed: PTY opens and closes were lost; raise fs.inotify.max_queued_events")
                continue
            }
            // Unknown: a watch removed since (its queued events and IN_IGNORED).
            cores[index - wds.startIndex]?.handleWatch(kind: kind)
        }
    }

    // MARK: Time

    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : product.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
