import Testing

@testable import Simulation

/// CSV series come through a resolver the caller hands in; the loader itself reads nothing.
@Suite struct ProfileSourcesTests {
    static let yaml = """
        name: replay
        channels:
          pit:
            unit: F
            csv: {file: cook.csv, column: pit, loop: true}
        """

    @Test("a CSV series is read through the resolver, from memory")
    func readsThroughResolver() throws {
        let sources = ProfileSources.inMemory(["cook.csv": "elapsed_s,pit\n0,200\n1m,210\n00:02:00,\n00:03:00,230\n"])
        let profile = try ProfileLoader.parse(yaml: Self.yaml, file: "replay.yaml", sources: sources)
        guard case .series(let curve) = try #require(profile.channel(named: "pit")).source else {
            Issue.record("pit is not a series")
            return
        }
        #expect(curve.times == [0, 60, 180])
        #expect(curve.values == [200, 210, 230])
        #expect(curve.loop)
    }

    @Test("without a resolver, a CSV reference is a located error: nothing is read")
    func noResolver() {
        let error = #expect(throws: ProfileError.self) { try ProfileLoader.parse(yaml: Self.yaml, file: "replay.yaml") }
        #expect(error?.code == .notFound)
        #expect(error?.location?.file == "replay.yaml")
        #expect(error?.location?.line == 5)
        #expect(error?.keyPath == "channels.pit.csv.file")
        #expect(error?.message.contains("cannot be read here") == true)
    }

    @Test("a file the resolver lacks, and a bad CSV, name the key and the reference")
    func resolverErrors() {
        let missing = #expect(throws: ProfileError.self) {
            try ProfileLoader.parse(yaml: Self.yaml, file: "replay.yaml", sources: .inMemory([:]))
        }
        #expect(missing?.code == .notFound)
        #expect(missing?.keyPath == "channels.pit.csv.file")
        #expect(missing?.message.contains("cook.csv") == true)
        let bad = #expect(throws: ProfileError.self) {
            try ProfileLoader.parse(
                yaml: Self.yaml, file: "replay.yaml", sources: .inMemory(["cook.csv": "elapsed_s,pit\n0,hot\n"]))
        }
        #expect(bad?.code == .badValue)
        #expect(bad?.location?.line == 5)
        #expect(bad?.description.contains("cook.csv: line 2: 'hot' is not a number") == true)
    }

    @Test("shipped profiles load by name with no I/O; unknown names list the shipped ones")
    func shipped() throws {
        #expect(try ProfileLoader.shipped("smoker-brisket.yaml").name == "smoker-brisket")
        let error = #expect(throws: ProfileError.self) { try ProfileLoader.shipped("nope") }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("cgm-spike") == true)
    }
}
