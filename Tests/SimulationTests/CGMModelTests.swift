import Testing

@testable import Simulation

@Suite struct CGMModelTests {
    /// Runs `minutes` one-minute steps and returns plasma glucose after each.
    static func run(_ model: inout GlucoseModel, minutes: Int) -> [Double] {
        var random = SeededRandom(seed: 7)
        var trace: [Double] = []
        trace.reserveCapacity(minutes)
        for _ in 0..<minutes {
            model.step(dt: 60, random: &random)
            trace.append(model.glucose)
        }
        return trace
    }

    @Test func outputsAreInTheDocumentedOrder() throws {
        let model = try GlucoseModel()
        #expect(
            model.outputs.map(\.name) == ["glucose", "interstitial", "insulin", "carbs_on_board", "insulin_on_board"])
        #expect(model.outputs[0].unit == .milligramsPerDeciliter)
        #expect(model.outputs[1].unit == .milligramsPerDeciliter)
        #expect(model.outputs[2].unit == .none)
    }

    @Test(arguments: Patient.allCases)
    func steadyStateWithoutMealsStaysInABand(patient: Patient) throws {
        var flat = try GlucoseModel(configuration: .init(patient: patient, dawnAmplitude: 0))
        #expect(abs(flat.glucose - 120) < 1)
        let quiet = Self.run(&flat, minutes: 24 * 60)
        #expect(quiet.allSatisfy { abs($0 - 120) < 2 })
        // With the dawn phenomenon, glucose rises in the morning but stays plausible.
        var dawn = try GlucoseModel(configuration: .init(patient: patient))
        let day = Self.run(&dawn, minutes: 24 * 60)
        #expect(day.allSatisfy { (100...170).contains($0) })
        let at3 = day[3 * 60]
        let at8 = day[8 * 60]
        #expect(at8 - at3 > 5)
        #expect(abs(day[23 * 60] - 120) < 5)
    }

    @Test func basalHoldsPlausibleRates() {
        for patient in Patient.allCases {
            #expect((0.05...2).contains(patient.basalRate))
        }
        // Adolescents (puberty) need more basal insulin per kilogram than adults.
        let adultPerKg = Patient.adult.basalRate / Patient.adult.parameters.bodyWeight
        let teenPerKg = Patient.adolescent.basalRate / Patient.adolescent.parameters.bodyWeight
        #expect(teenPerKg > adultPerKg)
    }

    @Test func uncoveredMealRaisesGlucose() throws {
        var model = try GlucoseModel(configuration: .init(dawnAmplitude: 0))
        let start = model.glucose
        try model.apply(ModelEvent("meal", parameters: ["grams": 60]))
        #expect(abs(model.value(named: "carbs_on_board")! - 60) < 0.01)
        let trace = Self.run(&model, minutes: 300)
        let peak = trace.max()!
        let peakMinute = trace.firstIndex(of: peak)! + 1
        // Hovorka with only basal insulin: a large rise that keeps climbing while carbs absorb.
        #expect((100...300).contains(peak - start))
        #expect((90...200).contains(peakMinute))
        #expect(model.value(named: "carbs_on_board")! < 5)
    }

    @Test func coveredMealPeaksWithinTwoHours() throws {
        for patient in Patient.allCases {
            var model = try GlucoseModel(configuration: .init(patient: patient, dawnAmplitude: 0))
            let start = model.glucose
            try model.apply(ModelEvent("meal", parameters: ["grams": 60, "bolus": 60 / patient.carbRatio]))
            let trace = Self.run(&model, minutes: 360)
            let peak = trace.max()!
            let peakMinute = trace.firstIndex(of: peak)! + 1
            #expect((45...120).contains(peakMinute), "\(patient) peak at \(peakMinute) min")
            #expect((40...250).contains(peak - start), "\(patient) rise \(peak - start)")
            #expect(trace.min()! > 70, "\(patient) went low")
        }
    }

    @Test func bolusLowersGlucoseAndShowsAsInsulinOnBoard() throws {
        var model = try GlucoseModel(configuration: .init(dawnAmplitude: 0))
        #expect(model.value(named: "insulin_on_board")! == 0)
        let before = model.glucose
        let insulinBefore = model.value(named: "insulin")!
        try model.apply(ModelEvent("bolus", parameters: ["units": 2]))
        #expect(abs(model.value(named: "insulin_on_board")! - 2) < 1e-9)
        let trace = Self.run(&model, minutes: 180)
        #expect(before - trace.last! > 40)
        #expect(trace.last! < trace[59])
        #expect(model.value(named: "insulin")! > insulinBefore)
        let iob = model.value(named: "insulin_on_board")!
        #expect(iob > 0 && iob < 1)
    }

    @Test func presetsDifferInSensitivity() throws {
        var drops: [Patient: Double] = [:]
        for patient in Patient.allCases {
            var model = try GlucoseModel(configuration: .init(patient: patient, dawnAmplitude: 0))
            let before = model.glucose
            try model.apply(ModelEvent("bolus", parameters: ["units": 1]))
            _ = Self.run(&model, minutes: 180)
            drops[patient] = before - model.glucose
        }
        // The child's small distribution volumes make one unit act far more.
        #expect(drops[.child]! > 1.5 * drops[.adult]!)
        // The insulin-resistant adolescent drops less than the adult per unit.
        #expect(drops[.adolescent]! < drops[.adult]!)
        #expect(Patient.child.carbRatio > Patient.adult.carbRatio)
        #expect(Patient.adolescent.carbRatio < Patient.adult.carbRatio)
    }

    @Test func spikeRaisesInterstitialQuickly() throws {
        var model = try GlucoseModel(configuration: .init(dawnAmplitude: 0))
        let ig0 = model.interstitial
        let g0 = model.glucose
        try model.apply(ModelEvent("spike"))
        var random = SeededRandom(seed: 1)
        for _ in 0..<20 { model.step(dt: 60, random: &random) }
        #expect(model.interstitial - ig0 >= 40)
        for _ in 20..<30 { model.step(dt: 60, random: &random) }
        // Close to the requested 120 mg/dL at the end of the 30-minute spike.
        #expect((90...150).contains(model.glucose - g0))
    }

    @Test func exerciseLowersGlucose() throws {
        var rest = try GlucoseModel(configuration: .init(dawnAmplitude: 0))
        var active = rest
        try active.apply(ModelEvent("exercise", parameters: ["duration": 3600, "intensity": 0.6]))
        _ = Self.run(&rest, minutes: 60)
        _ = Self.run(&active, minutes: 60)
        #expect(rest.glucose - active.glucose > 20)
    }

    @Test func basalChangeMovesTheSteadyState() throws {
        var model = try GlucoseModel(configuration: .init(dawnAmplitude: 0))
        try model.apply(ModelEvent("basal", parameters: ["rate": 0]))
        #expect(model.basalRate == 0)
        _ = Self.run(&model, minutes: 240)
        #expect(model.glucose > 160)
    }

    @Test func largeStepsMatchSmallSteps() throws {
        var fine = try GlucoseModel()
        try fine.apply(ModelEvent("meal", parameters: ["grams": 50, "bolus": 2]))
        var coarse = fine
        var random = SeededRandom(seed: 1)
        for _ in 0..<(12 * 5) { fine.step(dt: 60, random: &random) }
        for _ in 0..<12 { coarse.step(dt: 300, random: &random) }
        #expect(abs(fine.glucose - coarse.glucose) < 0.5)
        #expect(fine.elapsed == coarse.elapsed)
    }

    @Test func badEventsAreRejectedWithTheirKey() throws {
        var model = try GlucoseModel()
        #expect(throws: ModelError(.unknownEvent, "glucose model has no event 'nap'")) {
            try model.apply(ModelEvent("nap"))
        }
        let cases: [(ModelEvent, String)] = [
            (ModelEvent("meal"), "grams"),
            (ModelEvent("meal", parameters: ["grams": -5]), "grams"),
            (ModelEvent("meal", parameters: ["grams": 40, "bolus": .nan]), "bolus"),
            (ModelEvent("bolus", parameters: ["units": -1]), "units"),
            (ModelEvent("basal", parameters: [:]), "rate"),
            (ModelEvent("exercise", parameters: ["intensity": 2]), "intensity"),
            (ModelEvent("spike", parameters: ["duration": 0]), "duration"),
        ]
        for (event, key) in cases {
            do {
                try model.apply(event)
                Issue.record("\(event.name) \(event.parameters) was accepted")
            } catch {
                #expect(error.code == .badParameter)
                #expect(error.key == key)
            }
        }
    }

    @Test func badConfigurationIsRejectedWithItsKey() {
        var parameters = HovorkaParameters()
        parameters.bodyWeight = 0
        #expect(throws: ModelError.self) { try GlucoseModel(configuration: .init(parameters: parameters)) }
        do {
            _ = try GlucoseModel(configuration: .init(startTimeOfDay: 90000))
            Issue.record("accepted")
        } catch {
            #expect(error.key == "startTimeOfDay")
        }
    }
}
