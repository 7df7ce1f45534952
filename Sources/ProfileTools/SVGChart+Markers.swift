extension SVGChart {
    /// Shaded spans for markers with an end (faults red, events grey), under the data.
    func drawMarkerSpans(_ svg: inout SVGWriter, layout: ChartLayout) {
        for marker in markers {
            guard let end = marker.end, marker.start.isFinite, end.isFinite else { continue }
            let x0 = layout.x(clampedTime(min(marker.start, end), layout: layout))
            let x1 = layout.x(clampedTime(max(marker.start, end), layout: layout))
            let isFault = marker.kind == .fault
            svg.rect(
                x: x0, y: layout.panelsTop, width: max(2, x1 - x0), height: layout.panelsBottom - layout.panelsTop,
                attributes: [
                    "class": isFault ? "fault" : "event-span",
                    "fill": isFault ? ChartPalette.fault : ChartPalette.event,
                    "fill-opacity": isFault ? "0.13" : "0.08",
                ])
        }
    }

    /// Marker lines over the data, and their labels in the band above the panels.
    func drawMarkerLines(_ svg: inout SVGWriter, layout: ChartLayout) {
        for (i, marker) in markers.enumerated() where marker.start.isFinite {
            let placement = layout.labels[i]
            let isFault = marker.kind == .fault
            let x = layout.x(clampedTime(marker.start, layout: layout))
            let baseline = layout.labelBaseline(row: placement.row)
            var attributes = [
                "class": isFault ? "fault-line" : "event",
                "stroke": isFault ? ChartPalette.fault : ChartPalette.event,
                "stroke-width": "1.2",
            ]
            if isFault && marker.end != nil {
                attributes["stroke-opacity"] = "0.7"
            } else {
                attributes["stroke-dasharray"] = "5 4"
            }
            svg.line(x1: x, y1: baseline - 10, x2: x, y2: layout.panelsBottom, attributes: attributes)
            svg.text(
                layout.markerTexts[i], x: placement.minX, y: baseline,
                attributes: [
                    "class": "marker-label", "font-size": "11",
                    "fill": isFault ? ChartPalette.faultText : ChartPalette.text,
                ])
        }
    }

    private func clampedTime(_ t: Double, layout: ChartLayout) -> Double {
        min(layout.duration, max(0, t))
    }
}
