import Testing

@testable import Simulation

/// Per-minute record of a simulated cook, driven directly on ``SmokerModel``.
struct SmokerTrace {
    /// `samples[minute][outputIndex]`, minute 0 = start.
    var samples: [[Double]]
    var names: [String]

    func series(_ name: String) -> [Double] {
        guard let index = names.firstIndex(of: name) else { return [] }
        return samples.map { $0[index] }
    }

    /// First time (hours) the series reaches `value`, or nil.
    func hoursUntil(_ name: String, reaches value: Double, after start: Double = 0) -> Double? {
        let s = series(name)
        let first = Int(start * 60)
        guard first < s.count else { return nil }
        return s[first...].firstIndex { $0 >= value }.map { Double($0) / 60 }
    }
}

enum SmokerTestSupport {
    /// Runs `configuration` for `hours` at `dt`, applying `events` (time in s) and
    /// calling `control` once a minute (for condition-triggered events).
    static func cook(
        _ configuration: SmokerModel.Configuration,
        hours: Double,
        dt: Double = 1,
        seed: UInt64 = 1,
        events: [(Double, ModelEvent)] = [],
        control: ((inout SmokerModel, _ minute: Int, _ trace: SmokerTrace) -> Void)? = nil
    ) throws -> SmokerTrace {
        var model = try SmokerModel(configuration: configuration)
        var random = SeededRandom(seed: seed)
        var pending = events.sorted { $0.0 < $1.0 }
        var trace = SmokerTrace(samples: [], names: model.outputs.map(\.name))
        let count = model.outputs.count
        let minutes = Int(hours * 60)
        var time = 0.0
        for minute in 0...minutes {
            trace.samples.append((0..<count).map { model.value(at: $0) })
            if minute == minutes { break }
            control?(&model, minute, trace)
            let end = Double(minute + 1) * 60
            while time < end - 1e-9 {
                while let next = pending.first, next.0 <= time + 1e-9 {
                    try model.apply(next.1)
                    pending.removeFirst()
                }
                let h = min(dt, end - time)
                model.step(dt: h, random: &random)
                time += h
            }
        }
        return trace
    }

    /// Longest run (hours) of minutes at which the core is within 145…175 °F and
    /// rises less than 5 °F over the following hour (i.e. < 10 °F per 2 h pace).
    static func longestStall(_ core: [Double]) -> (hours: Double, start: Double, end: Double) {
        var best = 0
        var bestStart = 0
        var run = 0
        for i in 0..<max(0, core.count - 60) {
            if (145...175).contains(core[i]), core[i + 60] - core[i] < 5 {
                run += 1
                if run > best {
                    best = run
                    bestStart = i - run + 1
                }
            } else {
                run = 0
            }
        }
        return (Double(best) / 60, Double(bestStart) / 60, Double(bestStart + best) / 60)
    }

    /// Whether some 2-hour span with the core within 145…175 °F at both ends rises < 10 °F.
    static func hasTwoHourPlateau(_ core: [Double]) -> Bool {
        guard core.count > 120 else { return false }
        return (0..<(core.count - 120)).contains { i in
            (145...175).contains(core[i]) && (145...175).contains(core[i + 120]) && core[i + 120] - core[i] < 10
        }
    }

    static func brisket(setpoint: Double = 225) -> SmokerModel.Configuration {
        SmokerModel.Configuration(setpoint: setpoint, meats: [.init(cut: .brisket, weight: 6)])
    }
}
