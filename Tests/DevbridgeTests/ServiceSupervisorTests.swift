import DeviceBridgeService
import Foundation
import Logging
import Testing

@Suite(.serialized) struct ServiceSupervisorTests {
    static func configuration(_ directory: String, speedOfB: String = "1", withC: Bool = false) throws
        -> ServiceConfiguration
    {
        var yaml = """
            devices:
              a: {profile: smoker-brisket, link: \(directory)/a, reset_on_open: false}
              b: {profile: smoker-ribs-321, link: \(directory)/b, speed: \(speedOfB)}
            """
        if withC { yaml += "\n  c: {profile: smoker-fuel-out, link: \(directory)/c, protocol: heatermeter}" }
        return try ServiceConfigurationLoader.parse(yaml: yaml + "\n", file: "reload.yaml")
    }

    static func waitFor(_ path: String, exists: Bool = true) async throws {
        for _ in 0..<200 where FileManager.default.fileExists(atPath: path) != exists {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Reload restarts only changed devices: the unchanged one keeps its runner and its virtual time.
    @Test func reloadTouchesOnlyChangedDevices() async throws {
        let directory = NSTemporaryDirectory() + "devbridge-reload-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let supervisor = DeviceSupervisor(
            configuration: try Self.configuration(directory), environment: .init(logger: logger))
        await supervisor.startAll()
        try await Self.waitFor(directory + "/a")
        try await Self.waitFor(directory + "/b")
        let runnerA = try #require(try await supervisor.device(named: "a").runner)
        let runnerB = try #require(try await supervisor.device(named: "b").runner)
        runnerA.advance(by: 3600)

        let summary = await supervisor.reload(try Self.configuration(directory, speedOfB: "60", withC: true))
        #expect(summary.unchanged == ["a"])
        #expect(summary.restarted == ["b"])
        #expect(summary.started == ["c"])
        let afterA = try #require(try await supervisor.device(named: "a").runner)
        let afterB = try #require(try await supervisor.device(named: "b").runner)
        #expect(afterA === runnerA)
        #expect(afterB !== runnerB)
        #expect(afterA.simulation.time >= 3600)
        try await Self.waitFor(directory + "/c")
        #expect(FileManager.default.fileExists(atPath: directory + "/c"))

        let second = await supervisor.reload(try Self.configuration(directory, speedOfB: "60"))
        #expect(second.stopped == ["c"])
        #expect(Set(second.unchanged) == ["a", "b"])
        #expect(!FileManager.default.fileExists(atPath: directory + "/c"))

        await supervisor.stopAll()
        #expect(!FileManager.default.fileExists(atPath: directory + "/a"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/b"))
    }

    /// A device whose protocol this build lacks fails alone; the others run.
    @Test func aFailingDeviceDoesNotStopTheOthers() async throws {
        let directory = NSTemporaryDirectory() + "devbridge-fail-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try ServiceConfigurationLoader.parse(
            yaml: """
                devices:
                  bad: {profile: smoker-brisket, protocol: telepathy, link: \(directory)/bad}
                  missing: {profile: no-such-profile, link: \(directory)/missing}
                  good: {profile: smoker-brisket, link: \(directory)/good}
                """, file: "t.yaml")
        let supervisor = DeviceSupervisor(configuration: configuration)
        await supervisor.startAll()
        try await Self.waitFor(directory + "/good")
        let snapshots = await supervisor.snapshots()
        #expect(snapshots.map(\.status) == [.failed, .failed, .running])
        #expect(snapshots[0].error?.contains("protocol 'telepathy' is not available") == true)
        #expect(snapshots[1].error?.contains("no-such-profile") == true)
        await supervisor.stopAll()
    }

    @Test func exportsWithoutABackendAreReportedUnavailable() async throws {
        let directory = NSTemporaryDirectory() + "devbridge-exp-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try ServiceConfigurationLoader.parse(
            yaml: """
                devices:
                  s: {profile: smoker-brisket, link: \(directory)/s, exports: [{mode: raw, listen: "127.0.0.1:0"}]}
                exports:
                  byid: {match: {ID_SERIAL_SHORT: "A1"}, listen: "127.0.0.1:0"}
                """, file: "t.yaml")
        let supervisor = DeviceSupervisor(
            configuration: configuration, environment: .init(exportBackend: UnavailableExportBackend()))
        await supervisor.startAll()
        try await Self.waitFor(directory + "/s")
        var exports: [ExportSnapshot] = []
        for _ in 0..<100 {
            exports = await supervisor.exportSnapshots()
            if exports.first?.status != .starting && exports.first?.status != .stopped { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(exports.map(\.name) == ["s/raw", "byid"])
        #expect(exports.map(\.status) == [.unavailable, .unavailable])
        await supervisor.stopAll()
    }
}
