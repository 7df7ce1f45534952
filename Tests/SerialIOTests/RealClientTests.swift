import Foundation
import SerialIO
import Testing

/// Third-party clients that must not tell the endpoint from real hardware.
enum RealClients {
    static func run(_ executable: String, _ arguments: [String]) -> Process? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        do { try process.run() } catch { return nil }
        return process
    }

    static func output(of process: Process) -> String {
        guard let pipe = process.standardOutput as? Pipe else { return "" }
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// pyserial installed (PyPI `pyserial`); its test is skipped otherwise.
    static let hasPyserial: Bool = {
        guard let process = run("/usr/bin/env", ["python3", "-c", "import serial"]) else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let hasStty = FileManager.default.isExecutableFile(atPath: "/usr/bin/stty")

    /// Waits for `process` to exit, up to `timeout`; kills it past that.
    static func wait(_ process: Process, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                return false
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

@Suite("Real clients on the PTY link")
struct RealClientTests {
    @Test(
        "stty changes the baud through the link: open, change and close are seen",
        .enabled(if: RealClients.hasStty))
    func sttySetsBaud() async throws {
        let directory = try TemporaryDirectory()
        let link = directory.path + "/ttyUSB0"
        let endpoint = try await PseudoTerminalEndpoint.open(link: link)
        let events = Collector.start(endpoint.events)
        let stty = try #require(RealClients.run("/usr/bin/stty", ["-F", link, "115200"]))
        #expect(await RealClients.wait(stty))
        #expect(stty.terminationStatus == 0)
        #expect(await events.wait { $0.contains(.lineSettingsChanged(LineSettings(baud: 115_200))) })
        #expect(await events.wait { $0.contains(.closed) })
        #expect(await events.items.first == .opened)
        #expect(try endpoint.currentLineSettings().baud == 115_200)
        await endpoint.close()
    }

    @Test(
        "pyserial reads the device's lines and its writes reach the device",
        .enabled(if: RealClients.hasPyserial))
    func pyserialRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        let link = directory.path + "/ttyUSB0"
        let endpoint = try await PseudoTerminalEndpoint.open(link: link)
        let events = Collector.start(endpoint.events)
        let inbound = Collector.start(endpoint.inbound)
        let script = """
            import serial, sys
            port = serial.Serial(sys.argv[1], 9600, timeout=5)
            line = port.readline()
            port.write(b"PING\\n")
            port.flush()
            port.close()
            sys.stdout.write(line.decode("ascii", "replace"))
            """
        let python = try #require(RealClients.run("/usr/bin/env", ["python3", "-c", script, link]))
        #expect(await events.wait(forCount: 1, of: .opened))
        // Like a real device: keep printing lines until the app answers.
        let line = Array("{\"probe1\":\"225.00\"}\r\n".utf8)
        let deadline = ContinuousClock.now + .seconds(10)
        var answered = false
        while !answered, ContinuousClock.now < deadline {
            endpoint.write(line)
            answered = await inbound.wait(timeout: .milliseconds(50)) { $0.flatMap { $0 } == Array("PING\n".utf8) }
        }
        #expect(answered)
        #expect(await RealClients.wait(python))
        #expect(python.terminationStatus == 0)
        #expect(RealClients.output(of: python) == "{\"probe1\":\"225.00\"}\r\n")
        await endpoint.close()
    }
}
