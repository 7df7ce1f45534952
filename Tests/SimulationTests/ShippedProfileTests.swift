import Foundation
import Testing

@testable import Simulation

/// The shipped profiles load, and the smoker profiles behave as the issue demands.
@Suite struct ShippedProfileTests {
    /// Samples `channel` every minute for `hours`.
    static func minuteSeries(_ name: String, hours: Double, seed: UInt64? = nil) throws -> (
        Simulation, [String: [Double?]]
    ) {
        var simulation = try Simulation(profile: try ProfileLoader.shipped(name), seed: seed)
        var series: [String: [Double?]] = [:]
        for minute in 0...Int(hours * 60) {
            simulation.advance(to: Double(minute) * 60)
            for (channel, reading) in zip(simulation.channelNames, simulation.readings) {
                series[channel, default: []].append(reading.value)
            }
        }
        return (simulation, series)
    }

    @Test(arguments: ShippedProfiles.names)
    func shippedProfileLoadsAndRuns(name: String) throws {
        let profile = try ProfileLoader.shipped(name)
        #expect(profile.name == name)
        var simulation = try Simulation(profile: profile)
        simulation.advance(to: 3600)
        #expect(simulation.log.allSatisfy { $0.error == nil }, "\(simulation.log)")
    }

    @Test func embeddedProfilesMatchTheFilesOnDisk() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../profiles").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(ShippedProfiles.names))
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            #expect(ShippedProfiles.yaml(named: String(file.dropLast(5))) == text, "run 'make profiles'")
        }
    }

    /// The must-show for smoker-brisket, on the profile's own channels.
    @Test func brisketStallsWrapsAndFinishes() throws {
        let (simulation, series) = try Self.minuteSeries("smoker-brisket", hours: 16)
        let meat = series["meat1"]!.map { $0 ?? .nan }
        let pit = series["pit"]!.map { $0 ?? .nan }
        // A stall: some 2-hour span with < 10 °F rise while between 145 and 175 °F.
        let stall = (0..<(meat.count - 120)).contains { i in
            let window = meat[i...(i + 120)]
            return window.allSatisfy { (145...175).contains($0) } && meat[i + 120] - meat[i] < 10
        }
        #expect(stall, "no 2-hour stall between 145 and 175 °F")
        // Wrapped at the stall; climbs afterwards; 203 °F between 10 and 16 h.
        let wrap = try #require(simulation.log.first { $0.event.name == "wrap" })
        let wrapMinute = Int(wrap.time / 60)
        #expect(meat[min(meat.count - 1, wrapMinute + 120)] - meat[wrapMinute] > 15, "no climb after the wrap")
        let done = try #require(meat.firstIndex { $0 >= 203 }, "never reached 203 °F")
        #expect((600...960).contains(done), "203 °F at \(Double(done) / 60) h")
        // The pit holds ±15 °F of setpoint once reached, except in the 15 minutes after a lid opening.
        let reached = try #require(pit.firstIndex { $0 >= 225 })
        let lidMinutes = simulation.log.filter { $0.event.name == "lid_open" }.map { Int($0.time / 60) }
        for minute in reached..<pit.count where !lidMinutes.contains(where: { (0...15).contains(minute - $0) }) {
            #expect(abs(pit[minute] - 225) <= 15, "pit \(pit[minute]) °F at minute \(minute)")
        }
    }

    @Test func sameSeedSameCookOtherSeedOtherNoise() throws {
        let a = try Self.minuteSeries("smoker-brisket", hours: 2).1
        let b = try Self.minuteSeries("smoker-brisket", hours: 2).1
        let c = try Self.minuteSeries("smoker-brisket", hours: 2, seed: 1234).1
        #expect(a["pit"]! == b["pit"]!)
        #expect(a["pit"]! != c["pit"]!)
    }

    @Test func fuelOutDecaysThePitWhileTheFanSaturates() throws {
        let (_, series) = try Self.minuteSeries("smoker-fuel-out", hours: 7)
        let pit = series["pit"]!.map { $0 ?? .nan }
        let fan = series["fan"]!.map { $0 ?? .nan }
        #expect(pit[6 * 60 + 45] < pit[6 * 60] - 50)
        #expect(fan[6 * 60 + 30...6 * 60 + 55].allSatisfy { $0 >= 95 })
    }
}

/// CGM profiles through the engine: the sensor layer, faults and injected events.
@Suite struct CGMProfileTests {
    /// (time, sgv) of every 5-minute reading up to `hours`.
    static func readings(_ name: String, hours: Double, seed: UInt64? = nil) throws -> [(Double, CGMReading?)] {
        var simulation = try Simulation(profile: try ProfileLoader.shipped(name), seed: seed)
        var result: [(Double, CGMReading?)] = []
        for step in 0...Int(hours * 12) {
            simulation.advance(to: Double(step) * 300)
            result.append((simulation.time, simulation.cgmReading(of: "glucose")))
        }
        return result
    }

    @Test func spikeRaisesTheReadingWithinAFewSamples() throws {
        let readings = try Self.readings("cgm-spike", hours: 2)
        let before = try #require(readings[4].1?.sgv)  // 20 min, as the spike starts
        let after = readings[5...10].compactMap { $0.1?.sgv }
        #expect(after.contains { $0 >= before + 40 }, "\(before) → \(after)")
        #expect(readings[10].1?.direction.rawValue.hasSuffix("Up") == true)
    }

    @Test func injectedSpikeShowsInTheNextReadings() throws {
        var simulation = try Simulation(profile: try ProfileLoader.shipped("cgm-t1d-day"))
        simulation.advance(to: 3600)
        let before = try #require(simulation.cgmReading(of: "glucose")?.sgv)
        try simulation.inject(ModelEvent("spike", parameters: ["amount": 120, "duration": 1800]))
        var later: [Int] = []
        for step in 1...6 {
            simulation.advance(to: 3600 + Double(step) * 300)
            if let sgv = simulation.cgmReading(of: "glucose")?.sgv { later.append(sgv) }
        }
        #expect(later.contains { $0 >= before + 40 }, "\(before) → \(later)")
    }

    @Test func sensorFaultsProfileHasWarmupLossAndCompressionLow() throws {
        let readings = try Self.readings("cgm-sensor-faults", hours: 20)
        #expect(readings[0..<24].allSatisfy { $0.1 == nil }, "warm-up must be silent")
        #expect(readings[25].1 != nil)
        // Signal loss 14h..14h30: no readings.
        #expect(readings[169..<174].allSatisfy { $0.1 == nil })
        #expect(readings[176].1 != nil)
        // Compression low around 7h: a sharp dip against the true glucose.
        let dip = readings[84..<89].compactMap { r in r.1.map { Double($0.sgv) - $0.trueGlucose } }.min() ?? 0
        #expect(dip < -30, "compression low too shallow: \(dip)")
        // Sensor error at 18h: code 38.
        #expect(readings[216].1?.sgv == CGMReading.errorCode)
    }

    @Test func sameSeedSameReadings() throws {
        let a = try Self.readings("cgm-t1d-day", hours: 12).map { $0.1?.sgv }
        let b = try Self.readings("cgm-t1d-day", hours: 12).map { $0.1?.sgv }
        let c = try Self.readings("cgm-t1d-day", hours: 12, seed: 77).map { $0.1?.sgv }
        #expect(a == b)
        #expect(a != c)
    }
}

@Suite struct CelsiusProfileTests {
    @Test func aProfileInCelsiusReportsCelsius() throws {
        let yaml = try #require(ShippedProfiles.yaml(named: "smoker-brisket"))
            .replacingOccurrences(of: "units: F", with: "units: C")
        let profile = try ProfileLoader.parse(yaml: yaml, file: "celsius.yaml")
        #expect(profile.channel(named: "pit")?.unit == .celsius)
        var simulation = try Simulation(profile: profile)
        simulation.advance(to: 2 * 3600)
        let pit = try #require(simulation.reading(of: "pit")?.value)
        #expect(abs(pit - 107.2) < 5, "225 °F is 107.2 °C, read \(pit)")
        // Devices still speak °F on the wire: the smoker device converts back.
    }
}
