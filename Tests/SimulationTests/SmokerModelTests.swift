import Testing

@testable import Simulation

/// API, validation and numerical behaviour of ``SmokerModel``.
@Suite struct SmokerModelTests {
    typealias Support = SmokerTestSupport

    @Test func outputsAreNamedInOrder() throws {
        let model = try SmokerModel(configuration: .init(meats: [.init(cut: .brisket), .init(cut: .ribs)]))
        #expect(
            model.outputs.map(\.name) == [
                "pit", "setpoint", "output", "output_avg", "fan", "servo", "lid_countdown", "fuel", "ambient",
                "meat1.core", "meat1.surface", "meat1.moisture", "meat2.core", "meat2.surface", "meat2.moisture",
            ])
        #expect(
            model.outputs.map(\.unit) == [
                .fahrenheit, .fahrenheit, .percent, .percent, .percent, .percent, .seconds, .none, .fahrenheit,
                .fahrenheit, .fahrenheit, .none, .fahrenheit, .fahrenheit, .none,
            ])
        #expect(model.value(named: "pit") == 70)
        #expect(model.value(named: "meat2.core") == 38)
        #expect(model.value(named: "meat1.moisture") == 1)
        #expect(model.value(named: "fuel") == 1)
        #expect(model.value(named: "setpoint") == 225)
    }

    @Test func cutRawValuesAndDefaults() {
        #expect(
            SmokerModel.MeatConfiguration.Cut.allCases.map(\.rawValue) == [
                "brisket", "pork_shoulder", "ribs", "whole_chicken",
            ])
        let meat = SmokerModel.MeatConfiguration(cut: .ribs)
        #expect(meat.initialTemperature == 38 && meat.wrapped == false && meat.weight == 1.5)
        let c = SmokerModel.Configuration()
        #expect(c.setpoint == 225 && c.ambient == 70 && c.proportionalGain == 4 && c.integralGain == 0.02)
        #expect(c.derivativeGain == 5 && c.controlPeriod == 1 && c.probeSmoothing == 2.0 / 61.0)
    }

    @Test(arguments: [
        (SmokerModel.Configuration(meats: [.init(cut: .brisket, weight: -1)]), "meat1.weight"),
        (SmokerModel.Configuration(meats: Array(repeating: .init(cut: .ribs), count: 5)), "meats"),
        (SmokerModel.Configuration(windSpeed: 45), "wind"),
        (SmokerModel.Configuration(setpoint: .nan), "setpoint"),
        (SmokerModel.Configuration(fuelLoad: -2), "fuel"),
        (
            SmokerModel.Configuration(meats: [.init(cut: .ribs), .init(cut: .ribs, initialTemperature: 900)]),
            "meat2.initial_temperature"
        ),
    ])
    func badConfigurationNamesTheKey(configuration: SmokerModel.Configuration, key: String) {
        #expect {
            try SmokerModel(configuration: configuration)
        } throws: { error in
            let error = error as? ModelError
            return error?.code == .badConfiguration && error?.key == key
        }
    }

    @Test func eventErrors() throws {
        var model = try SmokerModel(configuration: .init(meats: [.init(cut: .brisket)]))
        func failure(_ event: ModelEvent) -> ModelError? {
            do {
                try model.apply(event)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(ModelEvent("baste"))?.code == .unknownEvent)
        #expect(failure(ModelEvent("setpoint"))?.code == .badParameter)
        #expect(failure(ModelEvent("setpoint"))?.key == "value")
        #expect(failure(ModelEvent("add_fuel", parameters: ["kg": -1]))?.key == "kg")
        #expect(failure(ModelEvent("lid_open", parameters: ["duration": .infinity]))?.key == "duration")
        #expect(failure(ModelEvent("wind", parameters: ["value": 80]))?.key == "value")
        #expect(failure(ModelEvent("wrap", target: "meat2"))?.code == .unknownTarget)
        #expect(failure(ModelEvent("unwrap", target: "pit"))?.code == .unknownTarget)
        #expect(failure(ModelEvent("lid_open")) == nil, "duration defaults to 60 s")
        #expect(failure(ModelEvent("wrap", target: "meat1")) == nil)
        #expect(failure(ModelEvent("ambient", parameters: ["value": 40])) == nil)
        #expect(model.value(named: "ambient") == 40)
    }

    @Test func wrappingFromTheStartPreventsTheStall() throws {
        let config = SmokerModel.Configuration(meats: [.init(cut: .brisket), .init(cut: .brisket, wrapped: true)])
        let trace = try Support.cook(config, hours: 12)
        let bare = Support.longestStall(trace.series("meat1.core")).hours
        let wrapped = Support.longestStall(trace.series("meat2.core")).hours
        #expect(bare >= 3)
        #expect(wrapped < 1)
        #expect(try #require(trace.hoursUntil("meat2.core", reaches: 203)) < 10)
    }

    @Test func windRaisesHeatLossAndFuelUse() throws {
        let calm = try Support.cook(.init(), hours: 4)
        let windy = try Support.cook(.init(windSpeed: 25), hours: 4)
        let calmOutput = calm.series("output_avg")[4 * 60]
        let windyOutput = windy.series("output_avg")[4 * 60]
        #expect(windyOutput > calmOutput * 1.3)
        #expect(windy.series("fuel")[4 * 60] < calm.series("fuel")[4 * 60])
        #expect(abs(windy.series("pit")[4 * 60] - 225) < 5, "the controller still holds the pit")
    }

    @Test func largeStepsStayStableAndClose() throws {
        let config = SmokerModel.Configuration(meats: [.init(cut: .ribs), .init(cut: .brisket)])
        let fine = try Support.cook(config, hours: 6, dt: 0.5)
        let coarse = try Support.cook(config, hours: 6, dt: 60)
        for name in ["meat1.core", "meat2.core", "meat1.surface"] {
            #expect(abs(fine.series(name)[6 * 60] - coarse.series(name)[6 * 60]) < 2, "\(name)")
        }
        #expect(coarse.series("pit").allSatisfy { $0.isFinite && $0 > 60 && $0 < 260 })
    }

    @Test func lidOpeningDropsPitThenRecovers() throws {
        let trace = try Support.cook(
            .init(initialPitTemperature: 225), hours: 2,
            events: [(3600, ModelEvent("lid_open", parameters: ["duration": 90]))])
        let pit = trace.series("pit")
        let drop = pit[60...62].min() ?? 0
        #expect(drop < 180)
        #expect(trace.series("fan")[61] == 0, "fan held off by lid detection")
        #expect(trace.series("lid_countdown")[61] > 0)
        #expect(abs(pit[60 + 20] - 225) < 10)
    }

    @Test func fuelLastsAboutEighteenHours() throws {
        let trace = try Support.cook(Support.brisket(), hours: 22)
        let pit = trace.series("pit")
        let failing = try #require(pit.indices.first { $0 > 60 && pit[$0] < 210 })
        let hours = Double(failing) / 60
        print(
            String(
                format: "default fuel load with a brisket: pit fails at %.2f h, %.0f %% output on average at 16 h",
                hours, trace.series("output_avg")[16 * 60]))
        #expect(hours >= 17 && hours <= 21)
        #expect(trace.series("output")[failing] >= 95, "output saturates as the fuel runs out")
    }
}
