import Simulation
import Testing
import VirtualDevices

@Suite("cgm-jsonl codec and Nightscout entry")
struct CGMJSONLCodecTests {
    /// 2026-06-06T12:00:00Z, the start of the shipped CGM profiles.
    static let start = 1_780_747_200.0

    static func entry(
        time: Double = 300, sgv: Int = 123, direction: TrendDirection = .fortyFiveDown, delta: Double? = -6.04
    ) -> CGMEntry {
        CGMEntry(
            reading: CGMReading(
                time: time, sgv: sgv, direction: direction, delta: delta, noise: 1, trueGlucose: 121.3456),
            startEpoch: start, device: "devbridge-cgm")
    }

    @Test("a reading becomes one exact JSON line, keys in order")
    func exactBytes() {
        let line = CGMJSONLCodec().line(for: Self.entry())
        let expected =
            #"{"sgv":123,"direction":"FortyFiveDown","delta":-6.0,"noise":1,"date":1780747500000,"#
            + #""dateString":"2026-06-06T12:05:00.000Z","device":"devbridge-cgm"}"# + "\n"
        #expect(line == Array(expected.utf8))
    }

    @Test("no delta is written as 0.0; direction strings are Nightscout's")
    func missingDelta() {
        let text = CGMJSONLCodec().text(for: Self.entry(time: 0, sgv: 39, direction: .notComputable, delta: nil))
        #expect(
            text
                == #"{"sgv":39,"direction":"NOT COMPUTABLE","delta":0.0,"noise":1,"date":1780747200000,"#
                + #""dateString":"2026-06-06T12:00:00.000Z","device":"devbridge-cgm"}"# + "\n")
    }

    @Test("ISO 8601 dates across leap days, year ends and milliseconds")
    func isoDates() {
        #expect(TextFormat.iso8601(epochMilliseconds: 0, milliseconds: true) == "1970-01-01T00:00:00.000Z")
        #expect(
            TextFormat.iso8601(epochMilliseconds: 951_782_400_000, milliseconds: true) == "2000-02-29T00:00:00.000Z")
        #expect(
            TextFormat.iso8601(epochMilliseconds: 1_798_761_599_999, milliseconds: true) == "2026-12-31T23:59:59.999Z")
        #expect(TextFormat.iso8601(epochMilliseconds: -1, milliseconds: true) == "1969-12-31T23:59:59.999Z")
        #expect(Self.entry(time: 300.0004).date == 1_780_747_500_000)
    }

    @Test("Nightscout JSON has the entry fields in a fixed order")
    func nightscoutJSON() {
        let json = Self.entry().nightscoutJSON
        #expect(
            json
                == #"{"_id":"000000000000019e9cd279e0","type":"sgv","sgv":123,"direction":"FortyFiveDown","#
                + #""delta":-6.0,"noise":1,"filtered":121346,"unfiltered":123000,"rssi":100,"date":1780747500000,"#
                + #""dateString":"2026-06-06T12:05:00.000Z","sysTime":"2026-06-06T12:05:00.000Z","#
                + #""device":"devbridge-cgm","utcOffset":0}"#)
        #expect(
            Self.entry().textRow(separator: "\t")
                == "\"2026-06-06T12:05:00.000Z\"\t1780747500000\t123\t\"FortyFiveDown\"\t\"devbridge-cgm\"")
    }
}
