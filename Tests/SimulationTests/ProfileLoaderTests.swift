import Testing

@testable import Simulation

/// Loader behaviour on good and bad profiles: every error names file, line, column and key.
@Suite struct ProfileLoaderTests {
    static let curveProfile = """
        name: curves
        description: two curves and a CSV-free profile for engine tests
        clock:
          start: 2026-06-06T06:00:00Z
          tick: 1s
          seed: 7
          duration: 4h
        channels:
          pit:
            curve:
              interpolation: linear
              knots: [[0s, 70F], [1h, 225F], [4h, 225F]]
            sensor:
              interval: 1s
              noise: {type: gaussian, sd: 0.5F}
              quantize: 0.1F
          humidity:
            unit: "%"
            curve:
              interpolation: step
              knots: [[0s, 40%], [2h, 60%]]
        events:
          - at: 1h
            type: probe_disconnect
            target: pit
            duration: 10m
        faults:
          - type: spike
            channel: humidity
            start: 3h
            duration: 5m
            amount: 10%
        """

    func expectError(
        _ yaml: String, code: ProfileError.Code, line: Int, keyPath: String, contains text: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try ProfileLoader.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("expected \(code) error", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(error.location?.file == "bad.yaml", sourceLocation: sourceLocation)
            #expect(error.location?.line == line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.keyPath == keyPath, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("bad.yaml:\(line):"), sourceLocation: sourceLocation)
        }
    }

    @Test func parsesAValidProfile() throws {
        let profile = try ProfileLoader.parse(yaml: Self.curveProfile, file: "curves.yaml")
        #expect(profile.name == "curves")
        #expect(profile.clock.seed == 7)
        #expect(profile.clock.duration == 14_400.0)
        #expect(profile.clock.startTimeOfDay == 6 * 3600)
        #expect(profile.channels.map(\.name) == ["pit", "humidity"])
        #expect(profile.channels[0].unit == .fahrenheit)
        #expect(profile.channels[1].unit == .percent)
        #expect(profile.channels[0].sensor.quantization == 0.1)
        #expect(profile.events.count == 1)
        #expect(profile.faults.first?.amount == 10)
    }

    @Test func unknownKeySuggestsTheKnownOne() {
        let yaml = """
            channels:
              pit:
                curve: {knots: [[0s, 70F]]}
                sensr: {interval: 1s}
            """
        expectError(yaml, code: .unknownKey, line: 4, keyPath: "channels.pit.sensr", contains: "did you mean 'sensor'")
    }

    @Test func missingUnitIsNamed() {
        let yaml = """
            channels:
              pit:
                curve: {knots: [[0s, 70F]]}
            events:
              - at: 90
                type: probe_disconnect
                target: pit
            """
        expectError(yaml, code: .missingUnit, line: 5, keyPath: "events[0].at", contains: "missing unit")
    }

    @Test func missingTemperatureUnitIsNamed() {
        let yaml = """
            channels:
              pit:
                curve: {knots: [[0s, 70F]]}
                sensor:
                  clamp: [0, 700F]
            """
        expectError(yaml, code: .missingUnit, line: 5, keyPath: "channels.pit.sensor.clamp[0]", contains: "temperature")
    }

    @Test func eventPastTheEnd() {
        let yaml = """
            clock: {duration: 2h}
            channels:
              pit:
                curve: {knots: [[0s, 70F]]}
            events:
              - type: probe_disconnect
                target: pit
                at: 3h
            """
        expectError(yaml, code: .pastEnd, line: 8, keyPath: "events[0].at", contains: "past the end")
    }

    @Test func negativeDuration() {
        let yaml = """
            channels:
              pit:
                curve: {knots: [[0s, 70F]]}
            faults:
              - type: dropout
                channel: pit
                start: 1h
                duration: -5m
            """
        expectError(yaml, code: .negativeDuration, line: 8, keyPath: "faults[0].duration", contains: "negative")
    }

    @Test func unknownChannelReference() {
        let yaml = """
            channels:
              pit:
                curve: {knots: [[0s, 70F]]}
            faults:
              - type: dropout
                channel: meat9
                start: 1h
            """
        expectError(
            yaml, code: .unknownReference, line: 6, keyPath: "faults[0].channel", contains: "no channel 'meat9'")
    }

    @Test func yamlSyntaxErrorHasAPosition() {
        do {
            _ = try ProfileLoader.parse(yaml: "channels:\n  pit: [1, 2\n", file: "broken.yaml")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == .syntax)
            #expect(error.location?.file == "broken.yaml")
            #expect((error.location?.line ?? 0) >= 2)
        }
    }

    @Test func wrongTypeIsReported() {
        expectError("channels: [1, 2]\n", code: .wrongType, line: 1, keyPath: "channels", contains: "mapping")
    }

    @Test func durationsParse() throws {
        #expect(try DurationText.parse("2h30m") == 9000)
        #expect(try DurationText.parse("500ms") == 0.5)
        #expect(try DurationText.parse("1d") == 86_400)
        #expect(try DurationText.parse("-5m") == -300)
        #expect(throws: DurationText.Failure.missingUnit) { try DurationText.parse("90") }
        #expect(throws: DurationText.Failure.invalid) { try DurationText.parse("2x") }
        #expect(DurationText.format(9000) == "2h30m")
        #expect(DurationText.format(90) == "1m30s")
        #expect(TimeOfDayText.parse("07:30") == 27_000)
        #expect(TimeOfDayText.parse("25:00") == nil)
    }

    @Test func quantitiesConvertToCanonicalUnits() {
        #expect(Quantity.parse("107C", dimension: .temperature) == .success(224.6))
        #expect(Quantity.parse("225 °F", dimension: .temperature) == .success(225))
        #expect(Quantity.parse("13lb", dimension: .mass) == .success(13 * 0.453_592_37))
        #expect(Quantity.parse("225", dimension: .temperature) == .failure(.missingUnit))
        #expect(Quantity.parse("225X", dimension: .temperature) == .failure(.unknownUnit("X")))
        #expect(Quantity.parse("abc", dimension: .mass) == .failure(.notANumber))
    }

    @Test func timestampsParse() {
        let utc = ProfileLoader.Decoder.parseTimestamp("2026-06-06T06:00:00Z")
        #expect(utc?.epoch == 1_780_725_600)
        #expect(utc?.timeOfDay == 21_600)
        let offset = ProfileLoader.Decoder.parseTimestamp("2026-06-06T08:00:00+02:00")
        #expect(offset?.epoch == 1_780_725_600)
        #expect(offset?.timeOfDay == 28_800)
        #expect(ProfileLoader.Decoder.parseTimestamp("yesterday") == nil)
    }
}
