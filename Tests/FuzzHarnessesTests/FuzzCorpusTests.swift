import Foundation
import Testing

@testable import FuzzHarnesses

/// Every input in `fuzz/corpus` and `fuzz/regressions` goes through its harness in each test run,
/// so a crash that fuzzing once found stays fixed (`make fuzz` explores beyond them).
@Suite struct FuzzCorpusTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz")

    static func inputs(_ kind: String, _ harness: String) -> [URL] {
        let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(harness)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzHarness.all.map(\.name))
    func corpusAndRegressionsPassThrough(harness name: String) throws {
        let harness = try #require(FuzzHarness.named(name))
        let corpus = Self.inputs("corpus", name)
        #expect(!corpus.isEmpty, "fuzz/corpus/\(name) has no seed inputs")
        for file in corpus + Self.inputs("regressions", name) {
            harness.run(Array(try Data(contentsOf: file)))
        }
    }

    /// The telnet harness's amplification check holds for the worst honest input: SIGNATURE queries.
    @Test func signatureQueriesStayWithinTheAnswerBound() {
        let query: [UInt8] = [255, 250, 44, 0, 255, 240]
        FuzzHarness.telnet.run([0] + Array(repeating: query, count: 500).joined())
    }
}
