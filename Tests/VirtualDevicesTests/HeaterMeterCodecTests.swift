import Testing

@testable import VirtualDevices

/// Checksum computed independently of the codec: XOR over the bytes strictly
/// between `$` and `*`, printed as two uppercase hex digits.
private func independentChecksum(of line: [UInt8]) throws -> (expected: String, printed: String) {
    let dollar = try #require(line.firstIndex(of: UInt8(ascii: "$")))
    let star = try #require(line.lastIndex(of: UInt8(ascii: "*")))
    var xor: UInt8 = 0
    for byte in line[(dollar + 1)..<star] { xor = xor ^ byte }
    let hex = String(xor, radix: 16, uppercase: true)
    let expected = hex.count == 1 ? "0" + hex : hex
    let printed = String(decoding: line[(star + 1)..<min(star + 3, line.count)], as: UTF8.self)
    return (expected, printed)
}

private func line(_ readings: SmokerReadings) throws -> String {
    var codec = HeaterMeterCodec(warmupLines: 0)
    let bytes = codec.nextLine(readings)
    return String(decoding: try #require(bytes), as: UTF8.self)
}

@Suite("HeaterMeter codec")
struct HeaterMeterCodecTests {
    /// The readings behind the PROTOCOLS.md example line.
    let example = SmokerReadings(
        setpoint: 225, pit: 224.5, food: [165.2, nil], ambient: 72.3,
        output: 35, outputAverage: 33, lidOpenCountdown: 0, fan: 35, servo: 0)

    @Test("the PROTOCOLS.md example line, byte for byte")
    func exampleLine() throws {
        let expected = "$HMSU,225,224.5,165.2,U,72.3,35,33,0,35,0*7A\n"
        // The example is self-consistent: its checksum agrees with an independent XOR.
        let check = try independentChecksum(of: Array(expected.utf8))
        #expect(check.expected == "7A" && check.printed == "7A")
        #expect(try line(example) == expected)
    }

    @Test("settings: 38400 baud, 1 s lines")
    func settings() {
        let codec = HeaterMeterCodec()
        #expect(codec.baudRate == 38400)
        #expect(codec.lineInterval == 1)
        #expect(codec.warmup == 2)
        #expect(codec.protocolName == "heatermeter")
    }

    @Test("field formats: manual, disabled, missing probes, rounding, clamping")
    func fieldFormats() throws {
        let manual = SmokerReadings(
            setpoint: 250, manualMode: true, pit: 99.94, food: [-3.25, 301.06, 42], ambient: nil,
            output: 100.4, outputAverage: 49.5, lidOpenCountdown: 12.2, fan: 150, servo: -3)
        #expect(try line(manual).hasPrefix("$HMSU,-,99.9,-3.3,301.1,U,100,50,13,100,0*"))
        let disabled = SmokerReadings(setpoint: nil, pit: nil, food: [], ambient: .nan, output: .nan)
        #expect(try line(disabled).hasPrefix("$HMSU,U,U,U,U,U,0,0,0,0,0*"))
        let rounded = SmokerReadings(setpoint: 224.6, pit: -0.04, food: [0.05, 1e7], ambient: -0.5)
        #expect(try line(rounded).hasPrefix("$HMSU,225,0.0,0.1,U,-0.5,0,0,0,0,0*"))
    }

    @Test("line shape: LF only, uppercase checksum matching an independent XOR")
    func checksums() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ range: ClosedRange<Double>) -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return range.lowerBound + Double(state >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
        }
        for index in 0..<300 {
            let readings = SmokerReadings(
                setpoint: index % 7 == 0 ? nil : next(150...400), manualMode: index % 11 == 0,
                pit: index % 5 == 0 ? nil : next(0...600),
                food: [next(30...210), index % 3 == 0 ? nil : next(30...210)],
                ambient: next(-20...120), output: next(0...100), outputAverage: next(0...100),
                lidOpenCountdown: next(0...240), fan: next(0...100), servo: next(0...100))
            let bytes = Array(try line(readings).utf8)
            #expect(bytes.last == 0x0A)
            #expect(!bytes.contains(0x0D))
            #expect(bytes.starts(with: Array("$HMSU,".utf8)))
            let check = try independentChecksum(of: bytes)
            #expect(check.printed == check.expected)
            #expect(bytes.count == bytes.firstIndex(of: UInt8(ascii: "*"))! + 4)
            let fields = String(decoding: bytes, as: UTF8.self).split(separator: "*")[0].split(separator: ",")
            #expect(fields.count == 11)
        }
    }

    @Test("warm-up silence after reset, then one line per call")
    func warmup() {
        var codec = HeaterMeterCodec()
        #expect(codec.nextLine(example) == nil)
        #expect(codec.nextLine(example) == nil)
        #expect(codec.nextLine(example) != nil)
        #expect(codec.nextLine(example) != nil)
        codec.reset()
        #expect(codec.nextLine(example) == nil)
        #expect(codec.nextLine(example) == nil)
        #expect(codec.nextLine(example) == Array("$HMSU,225,224.5,165.2,U,72.3,35,33,0,35,0*7A\n".utf8))
    }

    @Test("a command fed byte by byte yields exactly one setpoint")
    func byteByByte() {
        var codec = HeaterMeterCodec()
        var commands: [DeviceCommand] = []
        for byte in Array("/set?sp=250F\r\n".utf8) { commands += codec.receive([byte]) }
        #expect(commands == [.setSetpoint(fahrenheit: 250)])
        #expect(codec.bufferedCommandBytes == 0)
    }

    @Test("every split point of a command stream gives the same commands")
    func chunkBoundaries() {
        let stream = Array("/set?sp=250F\r\n/set?sp=100C\n\n/set?sp=225&pn0=Brisket\r/reboot\r\n".utf8)
        let expected: [DeviceCommand] = [
            .setSetpoint(fahrenheit: 250), .setSetpoint(fahrenheit: 212), .setSetpoint(fahrenheit: 225),
            .unknown("pn0=Brisket"), .unknown("/reboot"),
        ]
        for first in 0...stream.count {
            for second in first...stream.count where second == first || (second - first) % 7 == 0 {
                var codec = HeaterMeterCodec()
                let commands =
                    codec.receive(Array(stream[..<first])) + codec.receive(Array(stream[first..<second]))
                    + codec.receive(Array(stream[second...]))
                #expect(commands == expected, "split at \(first), \(second)")
            }
        }
    }

    @Test(
        "setpoint values and units",
        arguments: [
            ("/set?sp=225F", 225.0), ("/set?sp=225", 225), ("/set?sp=225.5f", 225.5), ("/set?sp=100C", 212),
            ("/set?sp=0c", 32), ("  /set?sp=180F  ", 180),
        ])
    func setpointUnits(command: String, fahrenheit: Double) {
        var codec = HeaterMeterCodec()
        #expect(codec.receive(Array((command + "\n").utf8)) == [.setSetpoint(fahrenheit: fahrenheit)])
    }

    @Test("Celsius is converted to Fahrenheit")
    func celsius() throws {
        var codec = HeaterMeterCodec()
        let commands = codec.receive(Array("/set?sp=107C\r\n".utf8))
        guard case .setSetpoint(let fahrenheit)? = commands.first, commands.count == 1 else {
            Issue.record("expected one setpoint, got \(commands)")
            return
        }
        #expect(abs(fahrenheit - 224.6) < 1e-9)
    }

    @Test("bad and unknown commands are reported as unknown")
    func unknownCommands() {
        var codec = HeaterMeterCodec()
        #expect(codec.receive(Array("/set?sp=abc\n".utf8)) == [.unknown("sp=abc")])
        #expect(codec.receive(Array("/set?sp=\n".utf8)) == [.unknown("sp=")])
        #expect(codec.receive(Array("/set?sp=nanF\n".utf8)) == [.unknown("sp=nanF")])
        #expect(codec.receive(Array("hello\r\n".utf8)) == [.unknown("hello")])
        #expect(codec.receive(Array("/set?&&sp=200\n".utf8)) == [.setSetpoint(fahrenheit: 200)])
        #expect(codec.receive(Array("\r\n\r\n".utf8)).isEmpty)
    }

    @Test("overlong garbage is dropped with a bounded buffer, up to its line end")
    func overlongGarbage() {
        var codec = HeaterMeterCodec()
        var commands: [DeviceCommand] = []
        for chunk in 0..<200 {
            commands += codec.receive(Array(repeating: UInt8(65 + chunk % 26), count: 97))
            #expect(codec.bufferedCommandBytes <= 256)
        }
        // The tail of the overlong line must not be taken for a command.
        commands += codec.receive(Array("/set?sp=999F\n".utf8))
        #expect(commands.isEmpty)
        #expect(codec.bufferedCommandBytes == 0)
        #expect(codec.receive(Array("/set?sp=200\n".utf8)) == [.setSetpoint(fahrenheit: 200)])
    }

    @Test("a line of exactly the limit is still accepted")
    func limitLine() {
        var codec = HeaterMeterCodec(maximumCommandLength: 16)
        #expect(codec.receive(Array("/set?sp=225.000F\n".utf8)) == [.setSetpoint(fahrenheit: 225)])
        #expect(codec.receive(Array("/set?sp=225.0000F\n".utf8)).isEmpty)
    }

    @Test("reset drops a partial command")
    func resetDropsPartial() {
        var codec = HeaterMeterCodec()
        #expect(codec.receive(Array("/set?sp=2".utf8)).isEmpty)
        codec.reset()
        #expect(codec.receive(Array("50F\n".utf8)) == [.unknown("50F")])
    }
}
