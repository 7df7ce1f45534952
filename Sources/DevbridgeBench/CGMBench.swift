import Foundation
import Simulation

/// CGM benchmarks: `cgm-year` (speed) and `cgm-realism` (behaviour against simglucose).
///
///     devbridge-bench cgm-year [--seed N]
///     devbridge-bench cgm-realism [--days N] [--seed N] [--out DIR] [--presets]
///
/// Figures are printed; the bench/cgm-*.sh scripts add the simglucose side.
enum CGMBench {
    static func run(_ arguments: [String]) {
        let options = Options(arguments.dropFirst())
        do {
            switch arguments.first {
            case "cgm-year": try year(options)
            case "cgm-realism":
                if options.flags.contains("presets") { try presets() } else { try realism(options) }
            default: print("unknown CGM benchmark")
            }
        } catch {
            print("error: \(error)")
            exit(1)
        }
    }

    struct Options {
        var values: [String: String] = [:]
        var flags: Set<String> = []
        init(_ args: ArraySlice<String>) {
            var it = args.makeIterator()
            while let a = it.next() {
                guard a.hasPrefix("--") else { continue }
                let key = String(a.dropFirst(2))
                if key == "presets" { flags.insert(key) } else { values[key] = it.next() }
            }
        }
        func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap(Int.init) ?? fallback }
    }

    /// One closed-loop run: adult preset, basal–bolus therapy, a meal schedule, a sensor.
    struct Run {
        var minutes: [(glucose: Double, interstitial: Double)] = []
        var readings: [CGMReading] = []
    }

    static func simulate(
        days: Int, seed: UInt64, patient: Patient = .adult, keepTrace: Bool
    ) throws -> (run: Run, meals: RandomMealSchedule, readingCount: Int, mard: Double) {
        let root = SeededRandom(seed: seed)
        let meals = RandomMealSchedule(days: days, random: root.derived("meals"))
        var model = try GlucoseModel(configuration: .init(patient: patient))
        var sensor = try CGMSensor(random: root.derived("sensor"))
        var rng = root.derived("model")
        let controller = BasalBolusController(patient: patient)
        var run = Run()
        if keepTrace {
            run.minutes.reserveCapacity(days * 1440)
            run.readings.reserveCapacity(days * 288)
        }
        var next = 0
        var count = 0
        var relSum = 0.0
        var relCount = 0
        let mealList = meals.meals
        for minute in 0..<(days * 1440) {
            let t = Double(minute) * 60
            while next < mealList.count, mealList[next].time <= t {
                let meal = mealList[next]
                let units = controller.bolus(grams: meal.grams, glucose: model.interstitial)
                try model.apply(ModelEvent("meal", parameters: ["grams": meal.grams, "bolus": units]))
                next += 1
            }
            let ig = model.interstitial
            if keepTrace { run.minutes.append((model.glucose, ig)) }
            if let r = sensor.sample(time: t, interstitial: ig) {
                count += 1
                if r.isValid {
                    relSum += abs(Double(r.sgv) - r.trueGlucose) / r.trueGlucose
                    relCount += 1
                }
                if keepTrace { run.readings.append(r) }
            }
            model.step(dt: 60, random: &rng)
        }
        return (run, meals, count, 100 * relSum / Double(max(relCount, 1)))
    }

    static func year(_ options: Options) throws {
        let seed = UInt64(options.int("seed", 1))
        let days = options.int("days", 365)
        // Warm-up run (page faults, lazy init), then the timed one.
        _ = try simulate(days: 2, seed: seed, keepTrace: false)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try simulate(days: days, seed: seed, keepTrace: false)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print(
            "cgm-year: \(days) simulated days, \(days * 1440) model steps of 60 s, \(result.readingCount) sensor readings"
        )
        print(String(format: "  wall time        %.3f s (target < 1 s)", seconds))
        print(String(format: "  per simulated day %.3f ms", seconds / Double(days) * 1000))
        print(String(format: "  sensor MARD      %.1f %%", result.mard))
        print(String(format: "SWIFT_SECONDS_PER_DAY=%.9f", seconds / Double(days)))
    }

    static func realism(_ options: Options) throws {
        let seed = UInt64(options.int("seed", 1))
        let days = options.int("days", 30)
        let out = options.values["out"] ?? "out/cgm-realism"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let (run, meals, _, mard) = try simulate(days: days, seed: seed, keepTrace: true)

        var json = "{\n  \"days\": \(days),\n  \"seed\": \(seed),\n  \"start_time_of_day\": 0,\n  \"meals\": [\n"
        json += meals.meals.map { "    {\"minute\": \(Int($0.time / 60)), \"grams\": \(Int($0.grams))}" }
            .joined(separator: ",\n")
        json += "\n  ]\n}\n"
        try json.write(toFile: out + "/schedule.json", atomically: true, encoding: .utf8)

        var csv = "minute,glucose,interstitial\n"
        csv.reserveCapacity(run.minutes.count * 24)
        for (i, m) in run.minutes.enumerated() {
            csv += "\(i),\(String(format: "%.2f", m.glucose)),\(String(format: "%.2f", m.interstitial))\n"
        }
        try csv.write(toFile: out + "/ours.csv", atomically: true, encoding: .utf8)

        var rcsv = "minute,sgv,true,direction,delta,noise\n"
        for r in run.readings {
            let delta = r.delta.map { String(format: "%.2f", $0) } ?? ""
            rcsv +=
                "\(Int(r.time / 60)),\(r.sgv),\(String(format: "%.2f", r.trueGlucose)),\(r.direction.rawValue),\(delta),\(r.noise)\n"
        }
        try rcsv.write(toFile: out + "/readings.csv", atomically: true, encoding: .utf8)

        // Sensor error statistics over consecutive 5-minute readings.
        let valid = run.readings.filter(\.isValid)
        let errors = valid.map { Double($0.sgv) - $0.trueGlucose }
        let mean = errors.reduce(0, +) / Double(errors.count)
        var num = 0.0
        var den = 0.0
        for i in errors.indices {
            den += (errors[i] - mean) * (errors[i] - mean)
            if i > 0, valid[i].time - valid[i - 1].time <= 301 { num += (errors[i] - mean) * (errors[i - 1] - mean) }
        }
        let sd = (den / Double(errors.count)).squareRoot()
        let arrows = Dictionary(grouping: valid, by: \.direction).mapValues(\.count)
        print("cgm-realism (Swift side): adult preset, \(days) days, \(meals.meals.count) meals, seed \(seed)")
        print("  wrote \(out)/schedule.json, ours.csv, readings.csv")
        print(String(format: "  sensor MARD vs true interstitial   %.1f %% (target 7–12 %%)", mard))
        print(String(format: "  sensor error mean %.2f mg/dL, SD %.2f mg/dL", mean, sd))
        print(String(format: "  lag-1 autocorrelation of sensor error (5 min)  %.3f", num / den))
        print(
            "  readings \(run.readings.count) (valid \(valid.count)); arrows: "
                + TrendDirection.allCases.compactMap { d in arrows[d].map { "\(d.rawValue) \($0)" } }.joined(
                    separator: ", "))
    }

    /// A table of the presets: weight, basal, steady state, meal and bolus responses.
    static func presets() throws {
        print(
            "preset      kg  basal U/h  steady mg/dL  60g peak (+min)  1U drop at 3h  dawn 08:00  60g+bolus peak (+min) min/6h"
        )
        for patient in Patient.allCases {
            var r = SeededRandom(seed: 1)
            let base = try GlucoseModel(configuration: .init(patient: patient, dawnAmplitude: 0))
            var m = base
            for _ in 0..<600 { m.step(dt: 60, random: &r) }
            let steady = m.glucose
            var meal = base
            try meal.apply(ModelEvent("meal", parameters: ["grams": 60]))
            var peak = 0.0
            var peakMinute = 0
            for i in 1...300 {
                meal.step(dt: 60, random: &r)
                if meal.glucose > peak { (peak, peakMinute) = (meal.glucose, i) }
            }
            var covered = base
            try covered.apply(ModelEvent("meal", parameters: ["grams": 60, "bolus": 60 / patient.carbRatio]))
            var cPeak = 0.0
            var cPeakMinute = 0
            var cMin = 1000.0
            for i in 1...360 {
                covered.step(dt: 60, random: &r)
                if covered.glucose > cPeak { (cPeak, cPeakMinute) = (covered.glucose, i) }
                cMin = min(cMin, covered.glucose)
            }
            var bolus = base
            try bolus.apply(ModelEvent("bolus", parameters: ["units": 1]))
            for _ in 0..<180 { bolus.step(dt: 60, random: &r) }
            var dawn = try GlucoseModel(configuration: .init(patient: patient))
            for _ in 0..<480 { dawn.step(dt: 60, random: &r) }
            print(
                String(
                    format: "%-10@ %3.0f  %9.2f  %12.1f  %6.0f (+%3d)  %13.1f  %10.1f  %6.0f (+%3d) %6.0f",
                    patient.rawValue as NSString,
                    patient.parameters.bodyWeight, patient.basalRate, steady, peak, peakMinute,
                    base.glucose - bolus.glucose, dawn.glucose, cPeak, cPeakMinute, cMin))
        }
    }
}
