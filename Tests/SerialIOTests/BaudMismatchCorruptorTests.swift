import SerialIO
import Testing

@Suite("BaudMismatchCorruptor")
struct BaudMismatchCorruptorTests {
    let line = Array("{\"probe1\":\"225.00\",\"probe2\":\"160.25\"}\r\n".utf8)

    @Test("equal settings give the bytes back", arguments: [9600, 38400, 115_200, 250_000])
    func identity(baud: Int) {
        let settings = LineSettings(baud: baud)
        let corruptor = BaudMismatchCorruptor(sender: settings, receiver: settings)
        #expect(corruptor.isIdentity)
        #expect(corruptor.transform(line) == line)
        let all = (0...255).map { UInt8($0) }
        #expect(corruptor.transform(all) == all)
    }

    @Test("the simulation itself is exact at equal baud (stop-bit count does not matter)")
    func simulatedIdentity() {
        let corruptor = BaudMismatchCorruptor(
            sender: LineSettings(baud: 9600, stopBits: .two), receiver: LineSettings(baud: 9600))
        let all = (0...255).map { UInt8($0) }
        #expect(corruptor.transform(all) == all)
    }

    @Test("9600 sent, 115200 read: more bytes, different ones, deterministic")
    func fasterReceiver() {
        let corruptor = BaudMismatchCorruptor(sender: LineSettings(baud: 9600), receiver: LineSettings(baud: 115_200))
        let garbage = corruptor.transform(line)
        #expect(!corruptor.isIdentity)
        #expect(garbage != line)
        #expect(garbage.count > line.count)
        #expect(corruptor.transform(line) == garbage)
    }

    @Test("115200 sent, 9600 read: fewer bytes")
    func slowerReceiver() {
        let corruptor = BaudMismatchCorruptor(sender: LineSettings(baud: 115_200), receiver: LineSettings(baud: 9600))
        let garbage = corruptor.transform(line)
        #expect(garbage.count < line.count)
        #expect(garbage != line)
    }

    @Test("hand-worked frames")
    func handWorked() {
        // 0xFF at 9600 read at 19200: the start bit spans the receiver's start
        // and first data bit, everything after is 1 → 0xFE.
        let double = BaudMismatchCorruptor(sender: LineSettings(baud: 9600), receiver: LineSettings(baud: 19200))
        #expect(double.transform([0xFF]) == [0xFE])
        // 0x00 at 9600 read at 4800: the receiver samples sender bits 3, 5, 7
        // (zeros), then 9 (stop) and idle → 0b1111_1000.
        let half = BaudMismatchCorruptor(sender: LineSettings(baud: 9600), receiver: LineSettings(baud: 4800))
        #expect(half.transform([0x00]) == [0xF8])
    }

    @Test("framing mismatch at equal baud garbles too (8N1 sent, 7E1 read)")
    func framingMismatch() {
        let corruptor = BaudMismatchCorruptor(
            sender: LineSettings(baud: 9600), receiver: LineSettings(baud: 9600, dataBits: 7, parity: .even))
        let read = corruptor.transform(line)
        #expect(read == line.map { $0 & 0x7F })  // ASCII survives 7 data bits; bit 7 is taken as parity
        #expect(corruptor.transform([0xC1]) == [0x41])
    }

    @Test("empty input gives empty output")
    func empty() {
        let corruptor = BaudMismatchCorruptor(sender: LineSettings(baud: 9600), receiver: LineSettings(baud: 57600))
        #expect(corruptor.transform([]).isEmpty)
    }
}
