import Testing

@testable import Simulation

/// Acceptance scenarios for the smoker model (dt = 1 s, driven directly).
@Suite struct SmokerCalibrationTests {
    typealias Support = SmokerTestSupport

    @Test func brisketStallsAndFinishesUnwrapped() throws {
        let trace = try Support.cook(Support.brisket(), hours: 18)
        let core = trace.series("meat1.core")
        let stall = Support.longestStall(core)
        let done = try #require(trace.hoursUntil("meat1.core", reaches: 203))
        print(
            String(
                format: "brisket unwrapped: stall %.2f h (%.2f–%.2f h), done at %.2f h", stall.hours, stall.start,
                stall.end, done))
        #expect(stall.hours >= 3 && stall.hours <= 6)
        #expect(done >= 10 && done <= 16)
        // The stall sits near the wet-bulb temperature, and the surface dries out afterwards.
        let mid = Int((stall.start + stall.end) / 2 * 60)
        #expect((145...175).contains(trace.series("meat1.surface")[mid]))
        #expect(trace.series("meat1.moisture")[Int(done * 60)] < 0.1)
    }

    @Test func brisketWithLidOpenAndWrap() throws {
        let lidAt = 2.5 * 3600
        let wrapAt = 7.0
        let trace = try Support.cook(
            Support.brisket(), hours: 16,
            events: [
                (lidAt, ModelEvent("lid_open", parameters: ["duration": 60])),
                (wrapAt * 3600, ModelEvent("wrap", target: "meat1")),
            ])
        let core = trace.series("meat1.core")
        let pit = trace.series("pit")
        let wrapMinute = Int(wrapAt * 60)
        #expect(Support.hasTwoHourPlateau(Array(core[..<wrapMinute])))
        #expect(core[wrapMinute + 120] - core[wrapMinute] > 15, "climbs again after the wrap")
        let done = try #require(trace.hoursUntil("meat1.core", reaches: 203))
        print(
            String(
                format: "brisket lid+wrap: core at wrap %.1f °F, stall %.2f h, done at %.2f h",
                core[wrapMinute], Support.longestStall(core).hours, done))
        #expect(done >= 10 && done <= 16)

        // Pit control: within ±15 °F once setpoint was first reached, except 10 min after the lid opened.
        let reached = try #require(pit.firstIndex { $0 >= 225 })
        let lidMinute = Int(lidAt / 60)
        #expect(pit[lidMinute + 1] < 200, "opening the lid drops the pit sharply")
        var worst = 0.0
        for (minute, value) in pit.enumerated() where minute >= reached {
            if minute >= lidMinute && minute <= lidMinute + 10 { continue }
            worst = max(worst, abs(value - 225))
        }
        print(
            String(
                format: "brisket lid+wrap: worst pit deviation %.1f °F (setpoint reached at %.2f h)", worst,
                Double(reached) / 60))
        #expect(worst <= 15)
        // The lid hold was detected and ended.
        #expect(trace.series("lid_countdown")[(lidMinute + 1)...(lidMinute + 3)].contains { $0 > 0 })
        #expect(trace.series("lid_countdown")[lidMinute + 10] == 0)
    }

    @Test func porkShoulderLongStall() throws {
        let config = SmokerModel.Configuration(meats: [.init(cut: .porkShoulder, weight: 4)])
        let trace = try Support.cook(config, hours: 17)
        let stall = Support.longestStall(trace.series("meat1.core"))
        let done = try #require(trace.hoursUntil("meat1.core", reaches: 195))
        print(String(format: "pork shoulder: stall %.2f h, 195 °F at %.2f h", stall.hours, done))
        #expect(stall.hours >= 2.5)
        #expect(done >= 10 && done <= 16)
    }

    @Test func ribsThreeTwoOne() throws {
        let config = SmokerModel.Configuration(meats: [.init(cut: .ribs, weight: 1.5)])
        let trace = try Support.cook(
            config, hours: 7,
            events: [(3 * 3600, ModelEvent("wrap")), (5 * 3600, ModelEvent("unwrap"))])
        let core = trace.series("meat1.core")
        let done = try #require(trace.hoursUntil("meat1.core", reaches: 195))
        print(
            String(
                format: "ribs 3-2-1: core %.1f °F at 3 h, 195 °F at %.2f h, %.1f °F at 6 h", core[180], done, core[360])
        )
        #expect(core[180] < 175, "still in the stall when wrapped")
        #expect(done >= 4.5 && done <= 6.5)
        #expect(core[360] >= 185, "no collapse after unwrapping")
    }

    @Test func wholeChickenHotAndFast() throws {
        let config = SmokerModel.Configuration(setpoint: 275, meats: [.init(cut: .wholeChicken, weight: 2)])
        let trace = try Support.cook(config, hours: 5)
        let done = try #require(trace.hoursUntil("meat1.core", reaches: 165))
        print(String(format: "whole chicken at 275 °F: 165 °F at %.2f h", done))
        #expect(done >= 2 && done <= 4)
    }

    @Test func fuelOutLetsPitDecayWhileOutputSaturates() throws {
        let trace = try Support.cook(
            Support.brisket(), hours: 8, events: [(6 * 3600, ModelEvent("fuel_out"))])
        let pit = trace.series("pit")
        let output = trace.series("output")
        #expect(abs(pit[6 * 60 - 1] - 225) < 10)
        #expect(output[6 * 60 - 1] < 60)
        for minute in stride(from: 6 * 60 + 20, through: 8 * 60, by: 10) {
            #expect(output[minute] >= 95, "output saturates at minute \(minute)")
        }
        #expect(pit[7 * 60] < 150)
        #expect(pit[8 * 60] < pit[7 * 60])
        #expect(pit[8 * 60] > 70, "decays toward, not below, ambient")
        #expect(trace.series("fuel")[6 * 60 + 1] == 0)
    }

    @Test func addFuelRevivesTheFire() throws {
        let trace = try Support.cook(
            SmokerModel.Configuration(), hours: 5,
            events: [(2 * 3600, ModelEvent("fuel_out")), (3 * 3600, ModelEvent("add_fuel", parameters: ["kg": 3]))])
        let pit = trace.series("pit")
        #expect(pit[3 * 60] < 160)
        #expect(abs(pit[5 * 60] - 225) < 10)
        #expect(trace.series("fuel")[3 * 60 + 1] > 0.3)
    }

    @Test func setpointChangeIsFollowed() throws {
        let trace = try Support.cook(
            SmokerModel.Configuration(), hours: 4,
            events: [(3 * 3600, ModelEvent("setpoint", parameters: ["value": 250]))])
        let pit = trace.series("pit")
        #expect(trace.series("setpoint")[3 * 60 + 1] == 250)
        #expect(
            trace.series("lid_countdown")[(3 * 60)...].allSatisfy { $0 == 0 }, "a setpoint raise is not a lid opening")
        for minute in (3 * 60 + 30)...(4 * 60) {
            #expect(abs(pit[minute] - 250) <= 10, "pit \(pit[minute]) at minute \(minute)")
        }
    }

    @Test func sameSeedSameTrajectory() throws {
        let config = SmokerModel.Configuration(meats: [.init(cut: .brisket), .init(cut: .ribs)])
        let events: [(Double, ModelEvent)] = [
            (3600, ModelEvent("lid_open")), (7200, ModelEvent("wrap", target: "meat2")),
        ]
        let a = try Support.cook(config, hours: 3, seed: 99, events: events)
        let b = try Support.cook(config, hours: 3, seed: 99, events: events)
        let c = try Support.cook(config, hours: 3, seed: 100, events: events)
        #expect(a.samples == b.samples)
        #expect(a.series("pit") != c.series("pit"), "fire flicker is drawn from the random parameter")
    }
}
