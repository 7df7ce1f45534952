import Testing

@testable import Simulation

@Suite struct SeededRandomTests {
    @Test func sameSeedSameSequence() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        let xs = (0..<100).map { _ in a.next() }
        let ys = (0..<100).map { _ in b.next() }
        #expect(xs == ys)
    }

    @Test func differentSeedsDiffer() {
        var a = SeededRandom(seed: 1)
        var b = SeededRandom(seed: 2)
        #expect((0..<10).map { _ in a.next() } != (0..<10).map { _ in b.next() })
    }

    @Test func gaussianHasUnitVariance() {
        var r = SeededRandom(seed: 7)
        let n = 50_000
        let xs = (0..<n).map { _ in r.gaussian() }
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func derivedStreamsAreIndependentOfParentAdvance() {
        let base = SeededRandom(seed: 9)
        var d1 = base.derived("pit")
        var d2 = base.derived("pit")
        var other = base.derived("meat1")
        #expect(d1.next() == d2.next())
        #expect(d1.next() != other.next())
    }
}
