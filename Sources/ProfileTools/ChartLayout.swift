import Simulation

/// Geometry of a chart: margins, the marker label band, one panel per unit
/// and the shared time axis. Pure computation from an `SVGChart`'s inputs.
struct ChartLayout: Sendable {
    /// One stacked panel: every series of a unit, with its y scale and frame.
    struct Panel: Sendable {
        var unit: SignalUnit
        var seriesIndices: [Int]
        var scale: NiceScale
        var top: Double
        var bottom: Double
    }

    static let titleFontSize = 18.0
    static let subtitleFontSize = 12.0
    static let labelFontSize = 11.0
    static let legendFontSize = 12.0
    static let bandRowHeight = 15.0
    static let legendRowHeight = 18.0
    static let panelGap = 16.0
    static let maxBandRows = 6
    static let maxLabelCharacters = 34
    static let maxLegendCharacters = 40

    let width: Double
    let height: Double
    let duration: Double
    let plotLeft: Double
    let plotRight: Double
    let titleBaseline: Double
    let subtitleBaseline: Double?
    let bandBottom: Double
    let bandRows: Int
    let panels: [Panel]
    let timeAxis: TimeAxis
    let labels: [MarkerLabelLayout.Placement]
    let markerTexts: [String]

    /// Top of the first panel.
    var panelsTop: Double { panels.first?.top ?? bandBottom }
    /// Bottom of the last panel (the time axis line).
    var panelsBottom: Double { panels.last?.bottom ?? bandBottom }
    /// Left edge of the legend column.
    var legendLeft: Double { plotRight + 16 }

    init(chart: SVGChart) {
        let width = Double(max(320, chart.width))
        self.width = width
        let duration = chart.effectiveDuration
        self.duration = duration

        let legendTexts = chart.series.map {
            SVGText.truncated($0.legendText, maxCharacters: ChartLayout.maxLegendCharacters)
        }
        let legendWidth = legendTexts.map { SVGText.width($0, fontSize: ChartLayout.legendFontSize) }.max() ?? 0
        let rightMargin = min(300, max(110, legendWidth + 50))
        plotLeft = 78
        plotRight = max(plotLeft + 100, width - rightMargin)
        timeAxis = TimeAxis(duration: duration, maxTicks: max(2, Int((plotRight - plotLeft) / 85)))

        // Marker labels above the panels.
        markerTexts = chart.markers.map {
            SVGText.truncated($0.label, maxCharacters: ChartLayout.maxLabelCharacters)
        }
        let plotLeft = self.plotLeft
        let plotWidth = plotRight - plotLeft
        let items = zip(chart.markers, markerTexts).map { marker, text in
            MarkerLabelLayout.Item(
                x: plotLeft + plotWidth * min(1, max(0, marker.start / duration)),
                width: SVGText.width(text, fontSize: ChartLayout.labelFontSize))
        }
        labels = MarkerLabelLayout.place(items, minX: 8, maxX: width - 8, maxRows: ChartLayout.maxBandRows)
        bandRows = labels.isEmpty ? 0 : (labels.map(\.row).max() ?? 0) + 1

        // Vertical stacking.
        var y = 14.0 + ChartLayout.titleFontSize
        titleBaseline = y
        if chart.subtitle != nil {
            y += 18
            subtitleBaseline = y
        } else {
            subtitleBaseline = nil
        }
        y += 12
        y += Double(bandRows) * ChartLayout.bandRowHeight
        bandBottom = y
        y += bandRows > 0 ? 6 : 4

        var groups: [(SignalUnit, [Int])] = []
        for (i, s) in chart.series.enumerated() {
            if let g = groups.firstIndex(where: { $0.0 == s.unit }) {
                groups[g].1.append(i)
            } else {
                groups.append((s.unit, [i]))
            }
        }
        if groups.isEmpty { groups = [(.none, [])] }

        let bottomMargin = 52.0
        let gaps = Double(groups.count - 1) * ChartLayout.panelGap
        let defaultPlotHeight: Double = groups.count == 1 ? 360 : groups.count == 2 ? 260 : 200
        var plotHeight = defaultPlotHeight
        if let requested = chart.height {
            plotHeight = (Double(requested) - y - bottomMargin - gaps) / Double(groups.count)
        }
        plotHeight = max(60, plotHeight)

        var panels: [Panel] = []
        for (unit, indices) in groups {
            let needed = Double(indices.count) * ChartLayout.legendRowHeight + 8
            let h = max(plotHeight, needed)
            let scale = ChartLayout.scale(for: indices.map { chart.series[$0] }, unit: unit, plotHeight: h)
            panels.append(Panel(unit: unit, seriesIndices: indices, scale: scale, top: y, bottom: y + h))
            y += h + ChartLayout.panelGap
        }
        self.panels = panels
        y += bottomMargin - ChartLayout.panelGap
        height = max(y, Double(chart.height ?? 0)).rounded(.up)
    }

    /// X pixel of time `t` seconds.
    func x(_ t: Double) -> Double {
        plotLeft + (plotRight - plotLeft) * t / duration
    }

    /// Y pixel of `value` in `panel`.
    func y(_ value: Double, in panel: Panel) -> Double {
        let s = panel.scale
        return panel.bottom - (panel.bottom - panel.top) * (value - s.lower) / (s.upper - s.lower)
    }

    /// Baseline of marker label row `row` (0 nearest the panels).
    func labelBaseline(row: Int) -> Double {
        bandBottom - Double(row) * ChartLayout.bandRowHeight - 4
    }

    /// Y scale for the finite values of `series`; percentages within 0…100 use 0…100.
    static func scale(for series: [PlotSeries], unit: SignalUnit, plotHeight: Double) -> NiceScale {
        var lo = Double.infinity
        var hi = -Double.infinity
        for s in series {
            for i in 0..<s.count {
                if let v = s.finiteValue(at: i) {
                    lo = min(lo, v)
                    hi = max(hi, v)
                }
            }
        }
        if lo > hi { (lo, hi) = (0, 1) }
        if unit == .percent && lo >= 0 && hi <= 100 { (lo, hi) = (0, 100) }
        let target = max(3, min(8, Int(plotHeight / 45)))
        return NiceScale(minimum: lo, maximum: hi, targetTicks: target)
    }

    /// Y-axis title for a panel of `unit`.
    static func axisTitle(for unit: SignalUnit) -> String {
        switch unit {
        case .fahrenheit, .celsius: "Temperature (\(unit.label))"
        case .milligramsPerDeciliter, .millimolesPerLiter: "Glucose (\(unit.label))"
        case .percent: "Percent (%)"
        case .kilograms: "Mass (kg)"
        case .seconds: "Time (s)"
        case .none: "Value"
        }
    }
}
