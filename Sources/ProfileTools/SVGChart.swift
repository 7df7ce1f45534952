import Simulation

/// A static SVG chart of a simulated profile run: one panel per unit, stacked
/// on a shared elapsed-time axis, with events and faults marked across all
/// panels and a legend per panel.
///
/// Rendering is pure and deterministic: the same inputs give the same bytes.
/// Long series are reduced to at most four points per pixel column, so a
/// 16 h run sampled every second stays well under 1 MB.
public struct SVGChart: Sendable {
    /// Chart title (e.g. the profile name).
    public var title: String
    /// Optional second line (e.g. seed, sample rate, device).
    public var subtitle: String?
    /// Run length in seconds; the time axis spans `0...duration`.
    /// When ≤ 0, the latest sample or marker time is used.
    public var duration: Double
    /// Channels to draw; series with the same unit share a panel, in first-seen order.
    public var series: [PlotSeries]
    /// Events and faults to mark.
    public var markers: [PlotMarker]
    /// Image width in pixels.
    public var width: Int
    /// Image height in pixels, or `nil` to size panels automatically.
    public var height: Int?

    /// Creates a chart; call `render()` for the SVG document.
    public init(
        title: String, subtitle: String? = nil, duration: Double, series: [PlotSeries],
        markers: [PlotMarker], width: Int = 1200, height: Int? = nil
    ) {
        self.title = title
        self.subtitle = subtitle
        self.duration = duration
        self.series = series
        self.markers = markers
        self.width = width
        self.height = height
    }

    /// The duration actually plotted: `duration`, or the data's extent when unusable.
    var effectiveDuration: Double {
        if duration.isFinite && duration > 0 { return duration }
        var latest = 0.0
        for s in series {
            for i in 0..<s.count where s.times[i].isFinite { latest = max(latest, s.times[i]) }
        }
        for m in markers {
            if m.start.isFinite { latest = max(latest, m.start) }
            if let e = m.end, e.isFinite { latest = max(latest, e) }
        }
        return latest > 0 ? latest : 1
    }

    /// Renders the complete SVG document (UTF-8 text, starting with an XML declaration).
    public func render() -> String {
        let layout = ChartLayout(chart: self)
        var svg = SVGWriter()
        let w = SVGText.number(layout.width, decimals: 0)
        let h = SVGText.number(layout.height, decimals: 0)
        svg.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        svg.raw(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\""
                + " font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">")
        svg.element("title", text: title)
        svg.element("rect", ["width": w, "height": h, "fill": "#FFFFFF"])
        svg.raw("<defs>")
        for (p, panel) in layout.panels.enumerated() {
            svg.raw("<clipPath id=\"plot-\(p)\">")
            svg.rect(
                x: layout.plotLeft, y: panel.top, width: layout.plotRight - layout.plotLeft,
                height: panel.bottom - panel.top, attributes: [:])
            svg.raw("</clipPath>")
        }
        svg.raw("</defs>")

        drawHeader(&svg, layout: layout)
        drawMarkerSpans(&svg, layout: layout)
        for (p, panel) in layout.panels.enumerated() {
            drawPanel(&svg, layout: layout, panel: panel, index: p)
        }
        drawMarkerLines(&svg, layout: layout)
        drawTimeAxis(&svg, layout: layout)
        svg.raw("</svg>")
        return svg.output
    }
}
