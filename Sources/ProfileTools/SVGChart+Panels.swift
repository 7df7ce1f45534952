import Simulation

extension SVGChart {
    /// Title, subtitle and the key explaining event and fault marks.
    func drawHeader(_ svg: inout SVGWriter, layout: ChartLayout) {
        svg.text(
            title, x: 16, y: layout.titleBaseline,
            attributes: ["font-size": "18", "font-weight": "bold", "fill": ChartPalette.text])
        if let subtitle, let baseline = layout.subtitleBaseline {
            svg.text(subtitle, x: 16, y: baseline, attributes: ["font-size": "12", "fill": ChartPalette.mutedText])
        }
        // Key, right-aligned on the title line.
        var x = layout.width - 16
        let y = layout.titleBaseline - 5
        if markers.contains(where: { $0.kind == .fault }) {
            x -= SVGText.width("fault", fontSize: 12)
            svg.text("fault", x: x, y: y + 4, attributes: ["fill": ChartPalette.faultText])
            x -= 20
            svg.rect(
                x: x, y: y - 6, width: 14, height: 12,
                attributes: ["fill": ChartPalette.fault, "fill-opacity": "0.18", "stroke": ChartPalette.fault])
            x -= 14
        }
        if markers.contains(where: { $0.kind == .event }) {
            x -= SVGText.width("event", fontSize: 12)
            svg.text("event", x: x, y: y + 4, attributes: ["fill": ChartPalette.mutedText])
            x -= 12
            svg.line(
                x1: x, y1: y - 7, x2: x, y2: y + 7,
                attributes: ["stroke": ChartPalette.event, "stroke-dasharray": "4 3", "stroke-width": "1.2"])
        }
    }

    /// One panel: grid, series lines, frame, y axis and legend.
    func drawPanel(_ svg: inout SVGWriter, layout: ChartLayout, panel: ChartLayout.Panel, index: Int) {
        let left = layout.plotLeft
        let right = layout.plotRight
        svg.raw("<g class=\"panel\" data-unit=\"\(SVGText.escape(panel.unit.rawValue))\">")

        // Grid.
        let yTicks = panel.scale.ticks
        for tick in yTicks {
            let y = layout.y(tick, in: panel)
            svg.line(x1: left, y1: y, x2: right, y2: y, attributes: ["stroke": ChartPalette.grid])
        }
        for tick in layout.timeAxis.ticks {
            let x = layout.x(tick)
            svg.line(x1: x, y1: panel.top, x2: x, y2: panel.bottom, attributes: ["stroke": ChartPalette.grid])
        }

        // Series.
        let columns = Int((right - left).rounded(.up))
        var anyPoint = false
        for i in panel.seriesIndices {
            let s = series[i]
            let runs = SeriesDownsampler.runs(of: s, start: 0, end: layout.duration, columns: columns)
            var d = ""
            for run in runs {
                anyPoint = true
                for (k, p) in run.enumerated() {
                    d += k == 0 ? "M" : k == 1 ? "L" : " "
                    d += SVGText.number(layout.x(s.times[p])) + " "
                    d += SVGText.number(layout.y(s.finiteValue(at: p) ?? 0, in: panel))
                }
                if run.count == 1 { d += "h0" }
            }
            var attributes = [
                "class": "series", "data-series": String(i), "d": d, "fill": "none",
                "stroke": ChartPalette.color(i), "stroke-width": "1.5", "stroke-linejoin": "round",
                "stroke-linecap": "round", "clip-path": "url(#plot-\(index))",
            ]
            let dash = ChartPalette.dash(i)
            if !dash.isEmpty { attributes["stroke-dasharray"] = dash }
            svg.element("path", attributes)
        }
        if !anyPoint {
            svg.text(
                "no data", x: (left + right) / 2, y: (panel.top + panel.bottom) / 2,
                attributes: ["text-anchor": "middle", "fill": ChartPalette.mutedText])
        }

        // Frame and y axis.
        svg.rect(
            x: left, y: panel.top, width: right - left, height: panel.bottom - panel.top,
            attributes: ["fill": "none", "stroke": ChartPalette.axis])
        for tick in yTicks {
            let y = layout.y(tick, in: panel)
            svg.line(x1: left - 4, y1: y, x2: left, y2: y, attributes: ["stroke": ChartPalette.axis])
            svg.text(
                SVGText.number(tick, decimals: panel.scale.decimals), x: left - 7, y: y + 4,
                attributes: ["text-anchor": "end", "font-size": "11", "fill": ChartPalette.text])
        }
        let midY = (panel.top + panel.bottom) / 2
        let axisX = 20.0
        svg.text(
            ChartLayout.axisTitle(for: panel.unit), x: axisX, y: midY,
            attributes: [
                "text-anchor": "middle", "font-size": "12", "fill": ChartPalette.text,
                "transform": "rotate(-90 \(SVGText.number(axisX)) \(SVGText.number(midY)))",
            ])

        // Legend.
        for (row, i) in panel.seriesIndices.enumerated() {
            let y = panel.top + 12 + Double(row) * ChartLayout.legendRowHeight
            var attributes = ["stroke": ChartPalette.color(i), "stroke-width": "3", "stroke-linecap": "round"]
            let dash = ChartPalette.dash(i)
            if !dash.isEmpty { attributes["stroke-dasharray"] = dash }
            svg.line(x1: layout.legendLeft, y1: y, x2: layout.legendLeft + 20, y2: y, attributes: attributes)
            svg.text(
                SVGText.truncated(series[i].legendText, maxCharacters: ChartLayout.maxLegendCharacters),
                x: layout.legendLeft + 27, y: y + 4,
                attributes: ["class": "legend", "fill": ChartPalette.text])
        }
        svg.raw("</g>")
    }

    /// Tick labels and title of the shared time axis, under the last panel.
    func drawTimeAxis(_ svg: inout SVGWriter, layout: ChartLayout) {
        let bottom = layout.panelsBottom
        for tick in layout.timeAxis.ticks {
            let x = layout.x(tick)
            svg.line(x1: x, y1: bottom, x2: x, y2: bottom + 5, attributes: ["stroke": ChartPalette.axis])
            svg.text(
                layout.timeAxis.label(tick), x: x, y: bottom + 18,
                attributes: ["text-anchor": "middle", "font-size": "11", "fill": ChartPalette.text])
        }
        svg.text(
            layout.timeAxis.title, x: (layout.plotLeft + layout.plotRight) / 2, y: bottom + 38,
            attributes: ["text-anchor": "middle", "font-size": "12", "fill": ChartPalette.text])
    }
}
