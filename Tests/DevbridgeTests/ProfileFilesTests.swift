import DeviceBridgeService
import Foundation
import Simulation
import Testing
import VirtualDevices

@Suite("ProfileFiles: profiles and their CSV series from disk")
struct ProfileFilesTests {
    static let yaml = """
        name: replay
        channels:
          pit:
            unit: F
            csv: {file: cook.csv, column: pit}
        """

    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "devbridge-profile-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a CSV series is read relative to the profile file")
    func relativeCSV() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.yaml.write(toFile: "\(directory)/replay.yaml", atomically: true, encoding: .utf8)
        try "elapsed_s,pit\n0,200\n60,210\n".write(toFile: "\(directory)/cook.csv", atomically: true, encoding: .utf8)
        let profile = try ProfileFiles.load("\(directory)/replay.yaml")
        guard case .series(let curve) = try #require(profile.channel(named: "pit")).source else {
            Issue.record("pit is not a series")
            return
        }
        #expect(curve.times == [0, 60])
        #expect(curve.values == [200, 210])
    }

    @Test("a missing CSV file is an error naming the profile file, line and key")
    func missingCSV() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/replay.yaml"
        try Self.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ProfileError.self) { try ProfileFiles.load(path) }
        #expect(error?.code == .notFound)
        #expect(error?.location?.file == path)
        #expect(error?.location?.line == 5)
        #expect(error?.keyPath.hasSuffix("csv.file") == true)
        #expect(error?.message.contains("\(directory)/cook.csv") == true)
    }

    @Test("shipped names load without a file; unknown names list the shipped ones")
    func shippedNames() throws {
        #expect(try ProfileFiles.load("smoker-brisket").source == "<embedded smoker-brisket>")
        let error = #expect(throws: ProfileError.self) { try ProfileFiles.load("no-such-profile") }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("smoker-brisket") == true)
    }

    @Test("the Nightscout store is bounded: the oldest entries are dropped")
    func storeBounded() {
        let store = CGMHistoryStore(capacity: 3)
        for index in 0..<12 {
            store.append(
                CGMEntry(
                    reading: CGMReading(
                        time: Double(index) * 300, sgv: 100 + index, direction: .flat, delta: 0, noise: 1,
                        trueGlucose: 100),
                    startEpoch: 1_000_000, device: "d"))
        }
        #expect(store.query(.init(count: 0)).map(\.sgv) == [111, 110, 109])
    }
}
