import Testing

@testable import Simulation

/// The engine: curves, sensor layer, faults, events and determinism, on a model-free profile.
@Suite struct SimulationEngineTests {
    func load(_ yaml: String = ProfileLoaderTests.curveProfile) throws -> Profile {
        try ProfileLoader.parse(yaml: yaml, file: "test.yaml")
    }

    func trace(_ profile: Profile, seed: UInt64? = nil, every: Double = 60, until: Double = 4 * 3600) throws
        -> [[Reading]]
    {
        var simulation = try Simulation(profile: profile, seed: seed)
        var rows: [[Reading]] = []
        var t = 0.0
        while t <= until {
            simulation.advance(to: t)
            rows.append(simulation.readings)
            t += every
        }
        return rows
    }

    @Test func curvesInterpolate() {
        let linear = Curve(times: [0, 10], values: [0, 100])
        #expect(linear.value(at: 5) == 50)
        #expect(linear.value(at: -1) == 0)
        #expect(linear.value(at: 20) == 100)
        let step = Curve(times: [0, 10], values: [0, 100], interpolation: .step)
        #expect(step.value(at: 9.9) == 0)
        let smooth = Curve(times: [0, 10], values: [0, 100], interpolation: .smooth)
        #expect(smooth.value(at: 5) == 50)
        #expect(smooth.value(at: 1) < 10)
        let looped = Curve(times: [0, 10], values: [0, 100], loop: true)
        #expect(looped.value(at: 15) == 50)
    }

    @Test func sameSeedSameReadingsOtherSeedOtherNoise() throws {
        let profile = try load()
        let a = try trace(profile)
        let b = try trace(profile)
        let c = try trace(profile, seed: 99)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func noiseQuantizationAndTrend() throws {
        let rows = try trace(try load())
        // At 2h the pit curve is 225 °F; the reading is 225 ± noise and quantized to 0.1.
        let atTwoHours = try #require(rows[120][0].value)
        #expect(abs(atTwoHours - 225) < 3)
        #expect(abs(atTwoHours * 10 - (atTwoHours * 10).rounded()) < 1e-6)
        // Step curve for humidity.
        #expect(rows[60][1].value == 40)
        #expect(rows[150][1].value == 60)
    }

    @Test func probeDisconnectEventAndSpikeFault() throws {
        let rows = try trace(try load())
        #expect(rows[59][0] != .disconnected)
        #expect(rows[61][0] == .disconnected)  // 1h01m: inside the 10-minute disconnect
        #expect(rows[71][0] != .disconnected)  // after it
        #expect(rows[182][1].value == 70)  // 3h02m: spike +10% on 60%
        #expect(rows[190][1].value == 60)
    }

    @Test func injectedEventsAreLogged() throws {
        var simulation = try Simulation(profile: try load())
        simulation.advance(to: 600)
        try simulation.inject(ModelEvent("probe_disconnect", target: "humidity"))
        simulation.advance(to: 660)
        #expect(simulation.reading(of: "humidity") == .disconnected)
        try simulation.inject(ModelEvent("probe_reconnect", target: "humidity"))
        simulation.advance(to: 720)
        #expect(simulation.reading(of: "humidity")?.value == 40)
        #expect(simulation.log.map(\.event.name).contains("probe_disconnect"))
        #expect(throws: ModelError.self) { try simulation.inject(ModelEvent("lid_open")) }
    }

    @Test func sensorLagWarmupClampStuckDriftDropout() throws {
        let yaml = """
            clock: {tick: 1s}
            channels:
              x:
                unit: "%"
                curve: {interpolation: step, knots: [[0s, 0%], [1h, 100%]]}
                sensor: {lag: 10m, warmup: 30m, clamp: [0%, 90%]}
              y:
                unit: "%"
                curve: {knots: [[0s, 10%], [10h, 10%]]}
            faults:
              - {type: stuck, channel: y, start: 1h, duration: 30m}
              - {type: drift, channel: y, start: 2h, duration: 1h, rate: 5%}
              - {type: dropout, channel: y, start: 4h, duration: 10m}
            """
        var simulation = try Simulation(profile: try load(yaml))
        simulation.advance(to: 20 * 60)
        #expect(simulation.reading(of: "x") == .noSample)  // warm-up
        simulation.advance(to: 3600 + 600)
        // First-order lag: after one time constant, 63 % of the step.
        let lagged = try #require(simulation.reading(of: "x")?.value)
        #expect(abs(lagged - 63.2) < 1.5)
        simulation.advance(to: 3 * 3600)
        #expect(simulation.reading(of: "x")?.value == 90)  // clamped
        simulation.advance(to: 2 * 3600 + 1800 + 3 * 3600)
        var y = try Simulation(profile: try load(yaml))
        y.advance(to: 2.5 * 3600)
        #expect(abs((y.reading(of: "y")?.value ?? 0) - 12.5) < 0.01)  // drift 5%/h for 30 min
        y.advance(to: 4 * 3600 + 300)
        #expect(y.reading(of: "y") == .noSample)
    }

    @Test func dailyAndRandomEventsAreDeterministic() throws {
        let yaml = """
            clock: {start: 2026-06-06T06:00:00Z, duration: 3d, tick: 10s}
            channels:
              pit:
                curve: {knots: [[0s, 70F]]}
            events:
              - {at: "07:30", daily: true, type: probe_disconnect, target: pit, duration: 1m}
            random_events:
              - type: probe_disconnect
                target: pit
                probability: 0.5
                daily: true
                window: ["12:00", "18:00"]
                duration: {distribution: uniform, min: 1m, max: 5m}
            """
        let profile = try load(yaml)
        func log(seed: UInt64) -> [Double] {
            var simulation = try! Simulation(profile: profile, seed: seed)
            simulation.advance(to: 3 * 86_400)
            return simulation.log.map(\.time)
        }
        let first = log(seed: 1)
        #expect(first == log(seed: 1))
        // Daily 07:30 from a 06:00 start: 1h30m, then every 24 h.
        let daily = first.filter { Int($0) % 86_400 == 5400 }
        #expect(daily.count == 3)
        let differentSeeds = (2...6).map { log(seed: UInt64($0)) }
        #expect(differentSeeds.contains { $0 != first })
    }

    @Test func conditionalEventFiresOnce() throws {
        let yaml = """
            channels:
              pit:
                curve: {knots: [[0s, 70F], [2h, 270F]]}
            events:
              - type: probe_disconnect
                target: pit
                duration: 10m
                when: {signal: pit, above: 170F, delay: 5m}
            """
        var simulation = try Simulation(profile: try load(yaml))
        simulation.advance(to: 3 * 3600)
        #expect(simulation.log.count == 1)
        // 170 °F is reached at 1h; fired 5 minutes later.
        #expect(abs((simulation.log.first?.time ?? 0) - 3900) <= 1)
    }

    @Test func csvSeriesFeedsAChannel() throws {
        let series = try CSVSeries.parse(
            "elapsed_s,pit\n0,100\n60,\n120,200\n", timeColumn: "elapsed_s", valueColumn: "pit")
        #expect(series.times == [0, 120])
        #expect(throws: CSVSeries.Failure.self) {
            try CSVSeries.parse("t,pit\n0,1\nx,2\n", timeColumn: "t", valueColumn: "pit")
        }
    }
}
