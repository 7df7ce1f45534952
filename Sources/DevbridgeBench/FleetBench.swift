import DeviceBridgeService
import Foundation
import Logging
import Simulation
import VirtualDevices

#if canImport(Glibc)
    import Glibc
#endif

/// `smoker-fleet [--count N] [--seconds S] [--paths FILE]`: N virtual smokers on N PTYs in
/// one process, each at its native rate (a Smart Smoker line every 500 ms). Writes the PTY
/// paths to FILE (one per line) for an external reader and runs for S seconds; bench/smoker-fleet.sh
/// measures this process's CPU and RSS while a reader consumes every port.
///
/// Any runner that fails (e.g. a system limit on PTYs, descriptors or inotify) is reported and the
/// bench exits with status 1, so the script never waits for ports that will not come.
enum FleetBench {
    static func run(_ arguments: [String]) async {
        func option(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        let count = option("--count").flatMap(Int.init) ?? 1000
        let seconds = option("--seconds").flatMap(Double.init) ?? 30
        let pathsFile = option("--paths") ?? "/tmp/devbridge-fleet-paths.txt"
        var logger = Logger(label: "fleet")
        logger.logLevel = .error
        raiseOpenFileLimit()
        do {
            let profile = try ProfileLoader.shipped("smoker-brisket")
            let base = try Simulation(profile: profile)
            let paths = Paths()
            let failures = Failures()
            let runners = (0..<count).map { index in
                VirtualDeviceRunner(
                    name: "smoker\(index)",
                    device: SmokerDevice(simulation: base, protocol: .smartSmoker),
                    options: .init(link: nil, speed: .factor(1)), logger: logger
                ) { endpoint in paths.add(endpoint.ptyPath) }
            }
            let tasks = runners.map { runner in
                Task {
                    do {
                        try await runner.run()
                    } catch {
                        failures.add("\(runner.name): \(error)")
                    }
                }
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while paths.count < count {
                if !failures.isEmpty { fail(failures, up: paths.count, of: count) }
                if ContinuousClock.now >= deadline {
                    print("error: only \(paths.count) of \(count) smokers came up within 120 s")
                    exit(1)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            try paths.joined.write(toFile: pathsFile, atomically: true, encoding: .utf8)
            print("fleet: \(count) smokers up; PTY paths in \(pathsFile); running \(Int(seconds)) s")
            try await Task.sleep(for: .seconds(seconds))
            if !failures.isEmpty { fail(failures, up: paths.count, of: count) }
            let lines = runners.reduce(0) { $0 + $1.counters.linesWritten }
            let dropped = runners.reduce(0) { $0 + $1.counters.bytesDropped }
            let rate = String(format: "%.0f", Double(lines) / seconds)
            print("fleet: \(lines) lines written (\(rate) lines/s), \(dropped) bytes dropped")
            for task in tasks { task.cancel() }
            for task in tasks { _ = await task.result }
        } catch {
            print("error: \(error)")
            exit(1)
        }
    }

    /// Prints the runners' errors (the first few and how many) and exits with status 1.
    static func fail(_ failures: Failures, up: Int, of count: Int) -> Never {
        let all = failures.all
        print("error: \(all.count) of \(count) smokers failed (\(up) came up):")
        for message in all.prefix(5) { print("  \(message)") }
        if all.count > 5 { print("  … and \(all.count - 5) more") }
        exit(1)
    }

    /// Each smoker holds three descriptors; lift the soft limit to the hard one.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max
        else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// PTY paths reported by the runners as they come up.
    final class Paths: @unchecked Sendable {
        private let lock = NSLock()
        private var paths: [String] = []

        func add(_ path: String) { lock.withLock { paths.append(path) } }
        var count: Int { lock.withLock { paths.count } }
        var joined: String { lock.withLock { paths.joined(separator: "\n") + "\n" } }
    }

    /// Errors of runners that stopped.
    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []

        func add(_ message: String) { lock.withLock { messages.append(message) } }
        var isEmpty: Bool { lock.withLock { messages.isEmpty } }
        var all: [String] { lock.withLock { messages } }
    }
}
