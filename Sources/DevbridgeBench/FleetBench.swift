import DeviceBridgeService
import Foundation
import Logging
import Simulation
import VirtualDevices

/// `smoker-fleet [--count N] [--seconds S] [--paths FILE]`: N virtual smokers on N PTYs in
/// one process, each at its native rate (a Smart Smoker line every 500 ms). Writes the PTY
/// paths to FILE (one per line) for an external reader and runs for S seconds; bench/smoker-fleet.sh
/// measures this process's CPU and RSS while a reader consumes every port.
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
        do {
            let profile = try ProfileLoader.load("smoker-brisket")
            let base = try Simulation(profile: profile)
            let paths = Paths()
            let runners = (0..<count).map { index in
                VirtualDeviceRunner(
                    name: "smoker\(index)",
                    device: SmokerDevice(simulation: base, protocol: .smartSmoker),
                    options: .init(link: nil, speed: .factor(1)), logger: logger
                ) { endpoint in paths.add(endpoint.ptyPath) }
            }
            let tasks = runners.map { runner in Task { try await runner.run() } }
            while paths.count < count { try await Task.sleep(for: .milliseconds(50)) }
            try paths.joined.write(toFile: pathsFile, atomically: true, encoding: .utf8)
            print("fleet: \(count) smokers up; PTY paths in \(pathsFile); running \(Int(seconds)) s")
            try await Task.sleep(for: .seconds(seconds))
            let lines = runners.reduce(0) { $0 + $1.counters.linesWritten }
            let dropped = runners.reduce(0) { $0 + $1.counters.bytesDropped }
            print(
                "fleet: \(lines) lines written (\(String(format: "%.0f", Double(lines) / seconds)) lines/s), \(dropped) bytes dropped"
            )
            for task in tasks { task.cancel() }
            for task in tasks { _ = await task.result }
        } catch {
            print("error: \(error)")
            exit(1)
        }
    }

    /// PTY paths reported by the runners as they come up.
    final class Paths: @unchecked Sendable {
        private let lock = NSLock()
        private var paths: [String] = []

        func add(_ path: String) { lock.withLock { paths.append(path) } }
        var count: Int { lock.withLock { paths.count } }
        var joined: String { lock.withLock { paths.joined(separator: "\n") + "\n" } }
    }
}
