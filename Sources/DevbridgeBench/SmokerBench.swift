import Foundation
import Simulation

/// `smoker-brisket`: the time to run the shipped brisket cook for 16 h at 0.5 s ticks
/// (the profile engine, the smoker model and the sensor layer together). Target: < 0.2 s.
enum SmokerBench {
    static func run(_ arguments: [String]) {
        do {
            var profile = try ProfileLoader.shipped("smoker-brisket")
            profile.clock.tick = 0.5
            var best = Double.infinity
            var meat = 0.0
            for _ in 0..<5 {
                let start = DispatchTime.now().uptimeNanoseconds
                var simulation = try Simulation(profile: profile)
                simulation.advance(to: 16 * 3600)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                best = min(best, seconds)
                meat = simulation.reading(of: "meat1")?.value ?? .nan
            }
            let steps = Int(16 * 3600 / profile.clock.tick)
            print("smoker-brisket 16 h at 0.5 s ticks (\(steps) steps, 3 channels, best of 5)")
            print(String(format: "  time:   %.4f s   (target < 0.2 s)", best))
            print(
                String(
                    format: "  rate:   %.1f M steps/s, %.0fx faster than real time", Double(steps) / best / 1e6,
                    16 * 3600 / best))
            print(String(format: "  result: meat1 %.1f °F at 16 h", meat))
        } catch {
            print("error: \(error)")
            exit(1)
        }
    }
}
