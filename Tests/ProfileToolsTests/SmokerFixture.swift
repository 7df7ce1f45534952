import Foundation
import Simulation

@testable import ProfileTools

/// A synthetic 16 h smoker run sampled every `step` seconds: pit ~225 °F with
/// a lid-open dip at 2.5 h, a brisket core with a 4 h stall at ~160 °F and a
/// wrap, the fan output in %, and a probe disconnect (gap + fault span).
enum SmokerFixture {
    static let duration = 16.0 * 3600

    static func chart(step: Double = 1) -> SVGChart {
        var random = SeededRandom(seed: 2024)
        let times = stride(from: 0.0, through: duration, by: step).map { $0 }
        var pit: [Double?] = []
        var meat: [Double?] = []
        var ambient: [Double?] = []
        var fan: [Double?] = []
        var core = 38.0
        for t in times {
            let h = t / 3600
            // Pit: warm-up, then ~225 °F, lid open at 2.5 h for 5 min.
            var p = 225 - 155 * exp(-t / 1500)
            let sinceLid = t - 2.5 * 3600
            if sinceLid >= 0 && sinceLid < 300 {
                p -= 60 * (sinceLid / 300)
            } else if sinceLid >= 300 {
                p -= 60 * exp(-(sinceLid - 300) / 420)
            }
            p += 1.5 * sin(t / 900) + random.gaussian(mean: 0, sd: 0.8)
            pit.append(p)
            // Meat: heats toward the pit, stalls near 160 °F from ~4 h to 8 h, wrapped at 8 h.
            let wrapped = h >= 8
            var rate = (p - core) / (wrapped ? 7200 : 12000)
            if !wrapped && core > 150 { rate *= max(0.02, 1 - (core - 150) / 11) }
            core += rate * step
            let inDropout = h >= 10 && h < 10.5
            meat.append(inDropout ? nil : core + random.gaussian(mean: 0, sd: 0.2))
            ambient.append(68 + 6 * sin((h - 9) / 24 * 2 * .pi) + random.gaussian(mean: 0, sd: 0.3))
            // Fan: PID-ish output, saturates after the lid opens.
            let error = 225 - p
            fan.append(min(100, max(0, 30 + 2.2 * error + random.gaussian(mean: 0, sd: 2))))
        }
        return SVGChart(
            title: "Brisket 16 h — smoker-brisket.yaml",
            subtitle: "seed 2024 · 1 Hz samples · device smart-smoker on /dev/pts/4",
            duration: duration,
            series: [
                PlotSeries(name: "Pit", unit: .fahrenheit, times: times, values: pit),
                PlotSeries(name: "Meat probe 1", unit: .fahrenheit, times: times, values: meat),
                PlotSeries(name: "Ambient", unit: .fahrenheit, times: times, values: ambient),
                PlotSeries(name: "Fan", unit: .percent, times: times, values: fan),
            ],
            markers: [
                PlotMarker(kind: .event, label: "Lid open", start: 2.5 * 3600),
                PlotMarker(kind: .event, label: "Spritz", start: 3 * 3600),
                PlotMarker(kind: .event, label: "Spritz", start: 3.5 * 3600),
                PlotMarker(kind: .event, label: "Add wood", start: 3.6 * 3600),
                PlotMarker(kind: .event, label: "Spritz", start: 4 * 3600),
                PlotMarker(kind: .event, label: "Wrap in foil", start: 8 * 3600),
                PlotMarker(kind: .fault, label: "Probe 1 disconnected", start: 10 * 3600, end: 10.5 * 3600),
                PlotMarker(kind: .event, label: "Target 203°F reached", start: 15.2 * 3600),
            ])
    }
}
