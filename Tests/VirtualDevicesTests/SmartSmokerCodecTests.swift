import Foundation
import Testing

@testable import VirtualDevices

/// Runs `loops` loops with constant readings and returns what each printed.
private func run(_ codec: inout SmartSmokerCodec, _ readings: SmokerReadings, loops: Int) -> [String?] {
    (0..<loops).map { _ in codec.nextLine(readings).map { String(decoding: $0, as: UTF8.self) } }
}

/// Readings with only the chamber (pit) probe set.
private func chamber(_ value: Double?) -> SmokerReadings {
    SmokerReadings(pit: value, food: [100, 100, 100])
}

/// The `Chamber` value printed for one loop.
private func chamberField(_ codec: inout SmartSmokerCodec, _ value: Double?) throws -> String {
    let printed = codec.nextLine(chamber(value))
    let line = try #require(printed)
    return try #require(try parse(line)["Chamber"])
}

/// Parses one line as the Node consumer would; every value must be a string.
private func parse(_ line: [UInt8]) throws -> [String: String] {
    let object = try JSONSerialization.jsonObject(with: Data(line))
    let dictionary = try #require(object as? [String: Any])
    var strings: [String: String] = [:]
    for (key, value) in dictionary {
        strings[key] = try #require(value as? String, "value of \(key) is not a string")
    }
    return strings
}

@Suite("Smart Smoker V2 codec")
struct SmartSmokerCodecTests {
    let steady = SmokerReadings(setpoint: 225, pit: 226.5, food: [163.25, 158.0, 161.75], ambient: 70)

    @Test("exact bytes of a steady line, after six silent loops")
    func exactBytes() throws {
        var codec = SmartSmokerCodec()
        let output = run(&codec, steady, loops: 8)
        #expect(output.prefix(6).allSatisfy { $0 == nil })
        let expected = "{\"Meat\": \"163.25\",\"Meat2\": \"158.00\",\"Meat3\": \"161.75\",\"Chamber\": \"226.50\"}\r\n"
        #expect(output[6] == expected)
        #expect(output[7] == expected)
        #expect(codec.nextLine(steady) == Array(expected.utf8))
    }

    @Test("settings: 9600 baud, 0.5 s lines, 3 s warm-up")
    func settings() {
        let codec = SmartSmokerCodec()
        #expect(codec.baudRate == 9600)
        #expect(codec.lineInterval == 0.5)
        #expect(codec.warmupLines == 6)
        #expect(codec.warmup == 3.0)
        #expect(codec.protocolName == "smart-smoker")
    }

    @Test("reset restarts the warm-up silence and clears the averages")
    func resetWarmup() throws {
        var codec = SmartSmokerCodec()
        _ = run(&codec, chamber(300), loops: 10)
        codec.reset()
        let output = run(&codec, chamber(100), loops: 7)
        #expect(output.prefix(6).allSatisfy { $0 == nil })
        let line = try #require(output[6])
        // Had the old 300 °F samples survived, the 100 °F ones would have been filtered out.
        #expect(try parse(Array(line.utf8))["Chamber"] == "100.00")
    }

    @Test("all four keys present, values are strings, for any probe state")
    func keysAndStrings() throws {
        var codec = SmartSmokerCodec(warmupLines: 0)
        for readings in [steady, SmokerReadings(), SmokerReadings(pit: 250, food: [nil, 150])] {
            let printed = codec.nextLine(readings)
            let fields = try parse(try #require(printed))
            #expect(Set(fields.keys) == Set(SmartSmokerCodec.keys))
        }
    }

    @Test("each field is the mean of the last five kept samples")
    func averaging() throws {
        var codec = SmartSmokerCodec()
        _ = run(&codec, chamber(100), loops: 6)
        var printed: [String] = []
        for value in [110.0, 120, 130, 140, 150, 150] {
            printed.append(try chamberField(&codec, value))
        }
        #expect(printed == ["102.00", "106.00", "112.00", "120.00", "130.00", "138.00"])
    }

    @Test("after start-up a sample more than 50 °F from the newest kept one is dropped")
    func jumpFilter() throws {
        var codec = SmartSmokerCodec()
        _ = run(&codec, chamber(100), loops: 6)
        #expect(try chamberField(&codec, 151) == "100.00")  // 51 °F jump: dropped
        #expect(try chamberField(&codec, 150) == "110.00")  // exactly 50: kept
        // A sustained real jump is ignored for good: every sample is compared with 150.
        for _ in 0..<10 { #expect(try chamberField(&codec, 225) == "110.00") }
        // Walking in steps of at most 50 is followed.
        #expect(try chamberField(&codec, 200) == "130.00")
    }

    @Test("start-up: the first five samples are kept unconditionally")
    func startupKeepsEverything() throws {
        var codec = SmartSmokerCodec(warmupLines: 0)
        #expect(try chamberField(&codec, 100) == "100.00")
        #expect(try chamberField(&codec, 300) == "200.00")
        #expect(try chamberField(&codec, 100) == "166.67")
        #expect(try chamberField(&codec, 300) == "200.00")
        #expect(try chamberField(&codec, 100) == "180.00")
        #expect(try chamberField(&codec, 300) == "180.00")  // sixth sample: filtered
    }

    @Test("a disconnected probe prints nan until five good samples replace it")
    func disconnect() throws {
        var codec = SmartSmokerCodec()
        _ = run(&codec, chamber(200), loops: 6)
        #expect(try chamberField(&codec, 200) == "200.00")
        #expect(try chamberField(&codec, nil) == "nan")
        #expect(try chamberField(&codec, nil) == "nan")
        // Reconnected far away from the last good value: NaN passes the filter, so it is kept.
        for _ in 0..<4 { #expect(try chamberField(&codec, 300) == "nan") }
        #expect(try chamberField(&codec, 300) == "300.00")
        #expect(try chamberField(&codec, 301) == "300.20")
    }

    @Test("a probe that was never plugged in prints nan; the others are unaffected")
    func neverPlugged() throws {
        var codec = SmartSmokerCodec()
        let readings = SmokerReadings(pit: 225, food: [160])
        let output = run(&codec, readings, loops: 20)
        let line = try #require(output.last ?? nil)
        #expect(line == "{\"Meat\": \"160.00\",\"Meat2\": \"nan\",\"Meat3\": \"nan\",\"Chamber\": \"225.00\"}\r\n")
    }

    @Test("the firmware takes no commands")
    func noCommands() {
        var codec = SmartSmokerCodec()
        #expect(codec.receive(Array("/set?sp=250F\r\n".utf8)).isEmpty)
        #expect(codec.receive(Array(repeating: 0x41, count: 5000)).isEmpty)
    }

    @Test(
        "numbers print like Arduino's printFloat",
        arguments: [
            (Float(1.0 / 3.0), "0.33"), (Float(2.0 / 3.0), "0.67"), (Float(99.999), "100.00"),
            (Float(-5.5), "-5.50"), (Float(-0.001), "-0.00"), (Float.nan, "nan"), (Float.infinity, "inf"),
            (-Float.infinity, "inf"), (Float(5e9), "ovf"), (Float(0), "0.00"), (Float(1234.5), "1234.50"),
        ])
    func arduinoFormat(value: Float, text: String) {
        #expect(ArduinoFloatFormat.format(value, digits: 2) == text)
    }

    @Test("zero digits prints no decimal point")
    func arduinoNoDigits() {
        #expect(ArduinoFloatFormat.format(41.6, digits: 0) == "42")
    }
}
