import Simulation

/// Runs a profile and draws it with ``SVGChart`` (`devbridge profile plot`).
public enum ProfilePlot {
    /// Simulates `profile` for `until` seconds and returns the SVG text.
    /// Samples every channel at a step that keeps about 2 000 points per series.
    public static func render(profile: Profile, seed: UInt64? = nil, until: Double) throws -> String {
        let every = max(profile.clock.tick, (until / 2000).rounded(.up))
        var times: [Double] = []
        var columns: [[Double?]] = Array(repeating: [], count: profile.channels.count)
        let run = ProfileRun(profile: profile, seed: seed, until: until, every: every)
        let simulation = try run.run { row in
            times.append(row.elapsed)
            for (index, reading) in row.readings.enumerated() { columns[index].append(reading.value) }
        }
        let series = zip(profile.channels, columns).map { channel, values in
            PlotSeries(name: channel.name, unit: channel.unit, times: times, values: values)
        }
        var markers = simulation.log.map { entry in
            PlotMarker(kind: .event, label: entry.label, start: entry.time, end: nil)
        }
        for fault in simulation.allFaults where fault.start <= until {
            let end = min(until, fault.duration.map { fault.start + $0 } ?? until)
            markers.append(PlotMarker(kind: .fault, label: fault.label, start: fault.start, end: end))
        }
        let subtitle = [profile.summary, "seed \(simulation.seed)"].filter { !$0.isEmpty }.joined(separator: " — ")
        return SVGChart(title: profile.name, subtitle: subtitle, duration: until, series: series, markers: markers)
            .render()
    }
}
