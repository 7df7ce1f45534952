import DeviceBridgeService
import Foundation
import Logging
import Simulation
import Testing
import VirtualDevices

/// `devbridge sim`'s runner over real PTYs: both protocols, reopen, DTR-style reset, commands.
@Suite(.serialized) struct VirtualSmokerPTYTests {
    /// Starts a runner for `profile` on a link in a temporary directory; returns the runner, link and task.
    static func start(
        _ profile: String, protocol smokerProtocol: SmokerProtocol, speed: SimulationSpeed, resetOnOpen: Bool = true,
        directory: TemporaryDirectory
    ) async throws -> (VirtualDeviceRunner, String, Task<Void, any Error>) {
        let simulation = try Simulation(profile: try ProfileLoader.shipped(profile))
        let device = SmokerDevice(simulation: simulation, protocol: smokerProtocol)
        let link = directory.path + "/ttyUSB0"
        let ready = AsyncStream<Void>.makeStream()
        let runner = VirtualDeviceRunner(
            name: profile, device: device,
            options: .init(link: link, speed: speed, resetOnOpen: resetOnOpen),
            logger: Logger(label: "test")
        ) { _ in ready.continuation.yield() }
        let task = Task { try await runner.run() }
        for await _ in ready.stream { break }
        return (runner, link, task)
    }

    @Test func smartSmokerLinesAreExactAndSurviveHundredReopens() async throws {
        let directory = TemporaryDirectory()
        let (runner, link, task) = try await Self.start(
            "smoker-brisket", protocol: .smartSmoker, speed: .max, directory: directory)
        defer { task.cancel() }
        let pattern = try Regex(
            #"^\{"Meat": "(-?\d+\.\d\d|nan)","Meat2": "(-?\d+\.\d\d|nan)","Meat3": "(-?\d+\.\d\d|nan)","Chamber": "(-?\d+\.\d\d|nan)"\}\r\n$"#
        )
        for round in 0..<100 {
            let client = try PTYClient(path: link)
            // An open is seen a moment after it happens (inotify), so the app may first read
            // lines queued before it, and the reset can cut one line short — as a DTR reset cuts a
            // real board's line. At most one line is cut; output after the reset is whole.
            let lines = client.readLines(12, timeout: 10)
            client.close()
            try #require(lines.count >= 12, "round \(round): \(lines)")
            let cut = lines.filter { $0.wholeMatch(of: pattern) == nil }
            #expect(cut.count <= 1, "round \(round): \(cut)")
            for line in lines.suffix(4) { #expect(line.wholeMatch(of: pattern) != nil, "\(line.debugDescription)") }
        }
        // Every open reset the device (the last event may still be in flight: wait for it).
        for _ in 0..<100 where runner.counters.resets < 100 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(runner.counters.resets == 100)
        task.cancel()
        _ = await task.result
        #expect(!FileManager.default.fileExists(atPath: link), "link must be removed on shutdown")
    }

    @Test func openingThePortResetsTheDeviceLikeDTR() async throws {
        let directory = TemporaryDirectory()
        let (_, link, task) = try await Self.start(
            "smoker-brisket", protocol: .smartSmoker, speed: .factor(1), directory: directory)
        defer { task.cancel() }
        let client = try PTYClient(path: link)
        // Six silent firmware loops of 0.5 s after the reset: nothing in the first 2 s…
        #expect(client.bytesWithin(2.0) == 0, "output during the warm-up after open")
        // …then lines again.
        #expect(client.readLines(1, timeout: 5).count == 1)
        client.close()
    }

    @Test func withoutResetOnOpenOutputContinuesImmediately() async throws {
        let directory = TemporaryDirectory()
        let (runner, link, task) = try await Self.start(
            "smoker-brisket", protocol: .smartSmoker, speed: .factor(1), resetOnOpen: false, directory: directory)
        defer { task.cancel() }
        // Past the power-on warm-up: the device has printed (to nobody) at least once.
        let deadline = ContinuousClock.now + .seconds(10)
        while runner.counters.linesWritten == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(runner.counters.linesWritten > 0, "the device never printed")
        let client = try PTYClient(path: link)
        #expect(client.readLines(1, timeout: 1.5).count == 1)
        client.close()
    }

    /// The HeaterMeter checksum, computed independently of the codec.
    static func checksumIsValid(_ line: String) -> Bool {
        guard line.hasPrefix("$"), let star = line.firstIndex(of: "*") else { return false }
        let body = line[line.index(after: line.startIndex)..<star]
        var x: UInt8 = 0
        for byte in body.utf8 { x ^= byte }
        let digits = Array("0123456789ABCDEF")
        let expected = String([digits[Int(x >> 4)], digits[Int(x & 0xF)]])
        return line[line.index(after: star)...].hasPrefix(expected)
    }

    @Test func heaterMeterChecksumAndSetpointCommand() async throws {
        let directory = TemporaryDirectory()
        let (runner, link, task) = try await Self.start(
            "smoker-brisket", protocol: .heatermeter, speed: .factor(30), directory: directory)
        defer { task.cancel() }
        let client = try PTYClient(path: link)
        client.setBaud(speed_t(B38400))
        let lines = client.readLines(5, timeout: 10)
        try #require(lines.count == 5)
        for line in lines {
            #expect(line.hasPrefix("$HMSU,225,") && line.hasSuffix("\n") && !line.hasSuffix("\r\n"), "\(line)")
            #expect(Self.checksumIsValid(line), "bad checksum: \(line)")
            #expect(line.split(separator: ",").count == 11)
        }
        // A command split across two writes moves the setpoint field to 250.
        let received = runner.counters.bytesReceived
        client.write("/set?sp=2")
        // The first half reaches the device on its own before the second is written.
        let deadline = ContinuousClock.now + .seconds(5)
        while runner.counters.bytesReceived < received + 9 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        try #require(runner.counters.bytesReceived == received + 9)
        client.write("50F\r\n")
        let after = client.readLines(40, timeout: 10)
        #expect(after.contains { $0.hasPrefix("$HMSU,250,") && Self.checksumIsValid($0) }, "\(after.suffix(3))")
        client.close()
    }

    @Test func wrongBaudReadsGarbage() async throws {
        let directory = TemporaryDirectory()
        let (_, link, task) = try await Self.start(
            "smoker-brisket", protocol: .smartSmoker, speed: .factor(30), directory: directory)
        defer { task.cancel() }
        let client = try PTYClient(path: link)
        client.setBaud(speed_t(B115200))
        // Every write after the change is garbled (the endpoint reads termios before each); a
        // line queued before it may still arrive clean, so the first is skipped.
        _ = client.readLines(1, timeout: 3)
        let bytes = client.readLines(3, timeout: 3).joined()
        #expect(client.bytesWithin(1.0) > 0, "output must keep coming, garbled")
        #expect(!bytes.contains("\"Chamber\""), "a 115200 reader must not see clean 9600 output")
        client.close()
    }
}

@Suite struct SimulationSpeedTests {
    @Test func parsesFactorsAndMax() {
        #expect(SimulationSpeed("max") == .max)
        #expect(SimulationSpeed("MAX") == .max)
        #expect(SimulationSpeed("60") == .factor(60))
        #expect(SimulationSpeed("60x") == .factor(60))
        #expect(SimulationSpeed("0.5") == .factor(0.5))
        #expect(SimulationSpeed("0") == nil)
        #expect(SimulationSpeed("fast") == nil)
    }
}
