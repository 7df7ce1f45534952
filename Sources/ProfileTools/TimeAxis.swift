/// Ticks and labels for the shared elapsed-time axis.
///
/// Steps come from a fixed list of human-friendly durations (seconds,
/// minutes, hours, days); labels read `0h 2h 4h`, `0m 10m 20m`, `1h30`
/// or `45s` depending on the run length and step.
struct TimeAxis: Sendable, Equatable {
    /// Run length in seconds (the axis spans `0...duration`).
    let duration: Double
    /// Tick step in seconds.
    let step: Double

    private static let steps: [Double] = [
        1, 2, 5, 10, 15, 30,
        60, 120, 300, 600, 900, 1200, 1800,
        3600, 7200, 10800, 14400, 21600, 28800, 43200, 86400, 172_800, 604_800,
    ]

    /// Chooses the smallest friendly step giving at most `maxTicks` intervals.
    init(duration: Double, maxTicks: Int = 12) {
        let d = duration.isFinite && duration > 0 ? duration : 1
        self.duration = d
        let limit = Double(max(1, maxTicks))
        var chosen = TimeAxis.steps.last!
        for s in TimeAxis.steps where d / s <= limit {
            chosen = s
            break
        }
        while d / chosen > limit { chosen *= 2 }
        self.step = chosen
    }

    /// Tick positions in seconds, from 0 up to `duration`.
    var ticks: [Double] {
        let n = Int((duration / step + 1e-9).rounded(.down))
        return (0...n).map { Double($0) * step }
    }

    /// Label for the tick at `seconds`.
    func label(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if step >= 3600 && step.truncatingRemainder(dividingBy: 3600) == 0 {
            return "\(s / 3600)h"
        }
        if step >= 60 && step.truncatingRemainder(dividingBy: 60) == 0 {
            if duration >= 7200 {
                let m = (s % 3600) / 60
                return m == 0 ? "\(s / 3600)h" : "\(s / 3600)h" + (m < 10 ? "0" : "") + "\(m)"
            }
            return "\(s / 60)m"
        }
        if duration >= 120 {
            let sec = s % 60
            return sec == 0 ? "\(s / 60)m" : "\(s / 60)m" + (sec < 10 ? "0" : "") + "\(sec)s"
        }
        return "\(s)s"
    }

    /// Axis title describing the label format.
    var title: String { "Elapsed time" }
}
