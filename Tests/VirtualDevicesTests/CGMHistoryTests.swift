import Simulation
import Testing
import VirtualDevices

@Suite("CGM history (Nightscout queries)")
struct CGMHistoryTests {
    static func entries(_ count: Int) -> [CGMEntry] {
        (0..<count).map { index in
            CGMEntry(
                reading: CGMReading(
                    time: Double(index) * 300, sgv: 100 + index, direction: .flat, delta: 0, noise: 1,
                    trueGlucose: 100),
                startEpoch: 1_000_000, device: "d")
        }
    }

    @Test("newest first, count default 10, 0 means all")
    func count() {
        var history = CGMHistory()
        for entry in Self.entries(25) { history.append(entry) }
        #expect(history.query(.init()).map(\.sgv) == Array((115...124).reversed()))
        #expect(history.query(.init(count: 3)).map(\.sgv) == [124, 123, 122])
        #expect(history.query(.init(count: 0)).count == 25)
        #expect(history.latest?.sgv == 124)
    }

    @Test("find[date] bounds in epoch ms")
    func dateFilters() {
        var history = CGMHistory()
        let all = Self.entries(10)
        for entry in all { history.append(entry) }
        let gte = history.query(.init(count: 100, dateGTE: all[7].date))
        #expect(gte.map(\.sgv) == [109, 108, 107])
        #expect(history.query(.init(count: 100, dateGT: all[7].date)).map(\.sgv) == [109, 108])
        #expect(history.query(.init(count: 100, dateLT: all[2].date)).map(\.sgv) == [101, 100])
        #expect(history.query(.init(count: 100, dateGTE: all[3].date, dateLTE: all[4].date)).map(\.sgv) == [104, 103])
        // count takes the newest of the matches.
        #expect(history.query(.init(count: 2, dateGTE: all[1].date)).map(\.sgv) == [109, 108])
    }

    @Test("bounded: the oldest entries are dropped; out-of-order entries are ignored")
    func bounded() {
        var history = CGMHistory(capacity: 5)
        let all = Self.entries(12)
        for entry in all { history.append(entry) }
        history.append(all[0])
        #expect(history.entries.map(\.sgv) == [107, 108, 109, 110, 111])
    }
}
