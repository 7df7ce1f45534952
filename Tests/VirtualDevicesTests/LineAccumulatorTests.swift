import Testing
import VirtualDevices

@Suite("Line accumulator")
struct LineAccumulatorTests {
    @Test("CR, LF and CR LF all end lines; empty lines are skipped")
    func terminators() {
        var lines = LineAccumulator()
        let out = lines.append(Array("a\rb\nc\r\n\r\nd".utf8))
        #expect(out.map { String(decoding: $0, as: UTF8.self) } == ["a", "b", "c"])
        #expect(lines.pending == Array("d".utf8))
        #expect(lines.append([0x0A]) == [Array("d".utf8)])
    }

    @Test("overlong lines are counted and never grow the buffer")
    func overlong() {
        var lines = LineAccumulator(maximumLength: 8)
        #expect(lines.append(Array(repeating: 0x41, count: 1000)).isEmpty)
        #expect(lines.pending.count <= 8)
        #expect(lines.isDiscarding)
        #expect(lines.append(Array("tail\nok\n".utf8)) == [Array("ok".utf8)])
        #expect(lines.discardedLines == 1)
        #expect(!lines.isDiscarding)
    }
}
