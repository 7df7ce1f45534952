import Foundation
import Testing

@testable import Simulation

@Suite struct CGMSensorTests {
    /// A sensor with no noise and no calibration drift: readings equal rounded truth.
    static func exactConfiguration() -> CGMSensor.Configuration {
        var c = CGMSensor.Configuration()
        c.noiseScale = 0
        c.calibrationDrift = 0
        return c
    }

    /// Feeds `truth(t)` every minute for `minutes` and collects the readings.
    static func collect(
        _ sensor: inout CGMSensor, minutes: Int, from start: Int = 0, truth: (Double) -> Double
    ) -> [CGMReading] {
        var readings: [CGMReading] = []
        for minute in start..<(start + minutes) {
            let t = Double(minute) * 60
            if let r = sensor.sample(time: t, interstitial: truth(t)) { readings.append(r) }
        }
        return readings
    }

    @Test(arguments: [
        (-10.0, TrendDirection.doubleDown), (-3.5, .doubleDown), (-3.49, .singleDown), (-2, .singleDown),
        (-1.99, .fortyFiveDown), (-1, .fortyFiveDown), (-0.99, .flat), (0, .flat), (1, .flat),
        (1.01, .fortyFiveUp), (2, .fortyFiveUp), (2.01, .singleUp), (3.5, .singleUp), (3.51, .doubleUp),
        (12, .doubleUp), (.nan, .notComputable), (.infinity, .notComputable),
    ])
    func directionFollowsSlopeThresholds(slope: Double, expected: TrendDirection) {
        #expect(TrendDirection(slope: slope) == expected)
    }

    @Test func directionsUseNightscoutStrings() {
        #expect(TrendDirection.notComputable.rawValue == "NOT COMPUTABLE")
        #expect(TrendDirection.fortyFiveUp.rawValue == "FortyFiveUp")
        #expect(TrendDirection(rawValue: "DoubleDown") == .doubleDown)
    }

    @Test func warmUpGivesNoReadingsForTwoHoursThenEveryFiveMinutes() throws {
        var sensor = try CGMSensor(random: SeededRandom(seed: 1))
        let readings = Self.collect(&sensor, minutes: 4 * 60) { _ in 120 }
        #expect(readings.first?.time == 7200)
        #expect(readings.count == 24)
        #expect(zip(readings, readings.dropFirst()).allSatisfy { $1.time - $0.time == 300 })
    }

    @Test func sessionsRestartTheWarmUp() throws {
        var c = CGMSensor.Configuration()
        c.sessionLength = 86400
        var sensor = try CGMSensor(configuration: c, random: SeededRandom(seed: 1))
        let readings = Self.collect(&sensor, minutes: 2 * 1440) { _ in 120 }
        #expect(!readings.contains { (86400..<(86400 + 7200)).contains($0.time) })
        #expect(readings.contains { $0.time == 86400 + 7200 })
    }

    @Test func clampAndCodes() throws {
        var c = Self.exactConfiguration()
        c.warmUp = 0
        c.sensorErrors = [.init(start: 3000, duration: 600)]
        var sensor = try CGMSensor(configuration: c, random: SeededRandom(seed: 1))
        let readings = Self.collect(&sensor, minutes: 80) { t in
            t < 1200 ? 30 : (t < 2400 ? 520 : 150)
        }
        let low = readings.filter { $0.time < 1200 }
        #expect(low.allSatisfy { $0.sgv == CGMReading.lowCode && $0.direction == .notComputable && $0.delta == nil })
        let high = readings.filter { $0.time >= 1200 && $0.time < 2400 }
        #expect(high.allSatisfy { $0.sgv == 400 })
        let errors = readings.filter { $0.time >= 3000 && $0.time < 3600 }
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0.sgv == CGMReading.errorCode && !$0.isValid })
        #expect(readings.last?.sgv == 150)
        #expect(CGMReading(time: 0, sgv: 39, direction: .none, delta: nil, noise: 0, trueGlucose: 0).isValid == false)
    }

    @Test func signalLossLeavesAGap() throws {
        var c = CGMSensor.Configuration()
        c.signalLosses = [.init(start: 3 * 3600, duration: 1800)]
        var sensor = try CGMSensor(configuration: c, random: SeededRandom(seed: 3))
        let readings = Self.collect(&sensor, minutes: 5 * 60) { _ in 140 }
        #expect(!readings.contains { (3 * 3600..<(3 * 3600 + 1800)).contains($0.time) })
        #expect(readings.contains { $0.time == 3 * 3600 + 1800 })
        #expect(readings.count == 36 - 6)
    }

    @Test func randomSignalLossesHappen() throws {
        var c = CGMSensor.Configuration()
        c.signalLossesPerDay = 3
        var sensor = try CGMSensor(configuration: c, random: SeededRandom(seed: 5))
        let readings = Self.collect(&sensor, minutes: 5 * 1440) { _ in 140 }
        let gaps = zip(readings, readings.dropFirst()).filter { $1.time - $0.time > 300 }
        #expect(gaps.count >= 3)
    }

    @Test func compressionLowIsASharpV() throws {
        var c = Self.exactConfiguration()
        c.compressionLows = [.init(start: 3 * 3600, duration: 1800, depth: 50)]
        var sensor = try CGMSensor(configuration: c, random: SeededRandom(seed: 1))
        let readings = Self.collect(&sensor, minutes: 5 * 60) { _ in 130 }
        let bottom = try #require(readings.first { $0.time == 3 * 3600 + 900 })
        #expect(bottom.sgv == 80)
        #expect(readings.first { $0.time == 3 * 3600 + 300 }?.sgv == 130 - 17)
        #expect(readings.filter { $0.time >= 4 * 3600 }.allSatisfy { $0.sgv == 130 })
        #expect(readings.contains { $0.direction == .doubleDown || $0.direction == .singleDown })
    }

    @Test func randomCompressionLowsComeAtNight() throws {
        var c = Self.exactConfiguration()
        c.compressionLowsPerNight = 1
        c.startTimeOfDay = 12 * 3600
        var sensor = try CGMSensor(configuration: c, random: SeededRandom(seed: 9))
        let readings = Self.collect(&sensor, minutes: 3 * 1440) { _ in 130 }
        let dips = readings.filter { $0.sgv < 120 }
        #expect(!dips.isEmpty)
        for dip in dips {
            let hour = ((dip.time + 12 * 3600).truncatingRemainder(dividingBy: 86400)) / 3600
            #expect(hour < 6)
        }
    }

    @Test func trendFollowsARamp() throws {
        var c = Self.exactConfiguration()
        c.warmUp = 0
        var sensor = try CGMSensor(configuration: c, random: SeededRandom(seed: 1))
        let readings = Self.collect(&sensor, minutes: 60) { t in 100 + 2.5 * t / 60 }
        #expect(readings[0].direction == .notComputable && readings[1].direction == .notComputable)
        #expect(readings[0].delta == nil && readings[0].noise == 0)
        let later = readings.dropFirst(3)
        #expect(later.allSatisfy { $0.direction == .singleUp })
        #expect(later.allSatisfy { abs(($0.delta ?? 0) - 12.5) < 0.5 })
        #expect(later.allSatisfy { $0.noise == 1 })
    }

    @Test func sameSeedSameReadingsDifferentSeedDifferent() throws {
        var c = CGMSensor.Configuration()
        c.compressionLowsPerNight = 0.5
        c.signalLossesPerDay = 1
        func readings(_ seed: UInt64) throws -> [CGMReading] {
            var sensor = try CGMSensor(configuration: c, random: SeededRandom(seed: seed))
            return Self.collect(&sensor, minutes: 2 * 1440) { t in 140 + 40 * sin(t / 7000) }
        }
        #expect(try readings(11) == readings(11))
        #expect(try readings(11) != readings(12))
    }

    @Test func mardOverAFewDaysIsRealistic() throws {
        let root = SeededRandom(seed: 2024)
        let meals = RandomMealSchedule(days: 3, random: root.derived("meals"))
        var model = try GlucoseModel()
        var sensor = try CGMSensor(random: root.derived("sensor"))
        let controller = BasalBolusController(patient: .adult)
        var random = root.derived("model")
        var readings: [CGMReading] = []
        var next = 0
        for minute in 0..<(3 * 1440) {
            let t = Double(minute) * 60
            while next < meals.meals.count, meals.meals[next].time <= t {
                let grams = meals.meals[next].grams
                try model.apply(
                    ModelEvent(
                        "meal",
                        parameters: [
                            "grams": grams, "bolus": controller.bolus(grams: grams, glucose: model.interstitial),
                        ]))
                next += 1
            }
            if let r = sensor.sample(time: t, interstitial: model.interstitial) { readings.append(r) }
            model.step(dt: 60, random: &random)
        }
        #expect(readings.count > 800)
        let mard = CGMSensor.mard(readings)
        #expect((5...15).contains(mard), "MARD \(mard)")
        // The noise really is there: not every reading equals the rounded truth.
        #expect(readings.filter { abs(Double($0.sgv) - $0.trueGlucose) > 5 }.count > 100)
    }

    @Test func badConfigurationIsRejected() {
        var c = CGMSensor.Configuration()
        c.sampleInterval = 0
        do {
            _ = try CGMSensor(configuration: c, random: SeededRandom(seed: 1))
            Issue.record("accepted")
        } catch {
            #expect(error.key == "sampleInterval")
        }
    }
}
