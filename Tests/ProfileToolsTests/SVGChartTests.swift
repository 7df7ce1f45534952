import Foundation
import Simulation
import Testing

@testable import ProfileTools

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Collects elements and their attributes; records parse failures.
private final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text = ""
    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        elements.append((name, attributes))
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}

private func parse(_ svg: String) throws -> XMLCollector {
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = XMLCollector()
    parser.delegate = collector
    let ok = parser.parse()
    #expect(ok, "XML parse error: \(String(describing: parser.parserError))")
    try #require(ok)
    return collector
}

private func small() -> SVGChart {
    let times = (0..<120).map { Double($0) * 60 }
    return SVGChart(
        title: "Test run", subtitle: "seed 1", duration: 7200,
        series: [
            PlotSeries(name: "Pit", unit: .fahrenheit, times: times, values: times.map { 225 + sin($0) }),
            PlotSeries(
                name: "Meat", unit: .fahrenheit, times: times,
                values: times.map { $0 >= 3000 && $0 < 3600 ? nil : 40 + $0 / 60 }),
            PlotSeries(name: "Fan", unit: .percent, times: times, values: times.map { _ in 35 }),
            PlotSeries(
                name: "Glucose", unit: .milligramsPerDeciliter, times: times, values: times.map { 100 + $0 / 100 }),
        ],
        markers: [
            PlotMarker(kind: .event, label: "Lid open", start: 1800),
            PlotMarker(kind: .fault, label: "Probe disconnect", start: 3000, end: 3600),
        ])
}

@Suite struct SVGChartTests {
    @Test func wellFormedWithOnePathPerSeriesAndOnePanelPerUnit() throws {
        let doc = try parse(small().render())
        #expect(doc.elements.first?.name == "svg")
        let paths = doc.elements.filter { $0.name == "path" && $0.attributes["class"] == "series" }
        #expect(paths.count == 4)
        #expect(Set(paths.compactMap { $0.attributes["data-series"] }) == ["0", "1", "2", "3"])
        let panels = doc.elements.filter { $0.name == "g" && $0.attributes["class"] == "panel" }
        #expect(panels.compactMap { $0.attributes["data-unit"] } == ["F", "%", "mg/dL"])
        let colors = Set(paths.compactMap { $0.attributes["stroke"] })
        #expect(colors.count == 4)
    }

    @Test func legendNamesEachSeriesWithUnitAndAxesAreLabelled() throws {
        let doc = try parse(small().render())
        for expected in ["Pit (°F)", "Meat (°F)", "Fan (%)", "Glucose (mg/dL)"] {
            #expect(doc.text.contains(expected), "legend lacks \(expected)")
        }
        for expected in ["Temperature (°F)", "Percent (%)", "Glucose (mg/dL)", "Elapsed time", "0h", "1h30"] {
            #expect(doc.text.contains(expected), "missing \(expected)")
        }
    }

    @Test func markersAreDrawnWithLabels() throws {
        let doc = try parse(small().render())
        #expect(doc.elements.contains { $0.name == "line" && $0.attributes["class"] == "event" })
        #expect(doc.elements.contains { $0.name == "rect" && $0.attributes["class"] == "fault" })
        #expect(doc.text.contains("Lid open"))
        #expect(doc.text.contains("Probe disconnect"))
    }

    @Test func gapsBreakTheLine() throws {
        let doc = try parse(small().render())
        let paths = doc.elements.filter { $0.name == "path" && $0.attributes["class"] == "series" }
        let meat = try #require(paths.first { $0.attributes["data-series"] == "1" }?.attributes["d"])
        let pit = try #require(paths.first { $0.attributes["data-series"] == "0" }?.attributes["d"])
        #expect(meat.filter { $0 == "M" }.count == 2)
        #expect(pit.filter { $0 == "M" }.count == 1)
    }

    @Test func outputIsDeterministic() {
        #expect(small().render() == small().render())
        #expect(Array(small().render().utf8) == Array(small().render().utf8))
    }

    @Test func longSeriesAreDownsampledBelowOneMegabyte() throws {
        var random = SeededRandom(seed: 9)
        let n = 100_000
        let times = (0..<n).map { Double($0) }
        let values: [Double?] = (0..<n).map { _ in random.gaussian(mean: 100, sd: 10) }
        let chart = SVGChart(
            title: "big", duration: Double(n),
            series: [PlotSeries(name: "x", unit: .none, times: times, values: values)], markers: [])
        let svg = chart.render()
        #expect(svg.utf8.count < 300_000)
        _ = try parse(svg)
        let smoker = SmokerFixture.chart().render()
        #expect(smoker.utf8.count < 1_000_000)
        _ = try parse(smoker)
    }

    @Test func downsamplingKeepsExtremes() {
        let times = (0..<10_000).map { Double($0) }
        var values: [Double?] = times.map { _ in 0 }
        values[5_000] = 50
        values[7_000] = -20
        let s = PlotSeries(name: "s", unit: .none, times: times, values: values)
        let runs = SeriesDownsampler.runs(of: s, start: 0, end: 10_000, columns: 100)
        #expect(runs.count == 1)
        #expect(runs[0].count <= 400)
        #expect(runs[0].contains(5_000) && runs[0].contains(7_000))
        #expect(runs[0].first == 0 && runs[0].last == 9_999)
    }

    @Test func textIsEscaped() throws {
        let chart = SVGChart(
            title: "t<\"x\">", duration: 10,
            series: [PlotSeries(name: "a<b&c", unit: .percent, times: [0, 5, 10], values: [1, 2, 3])],
            markers: [PlotMarker(kind: .event, label: "x & y <z>", start: 5)])
        let svg = chart.render()
        #expect(svg.contains("a&lt;b&amp;c"))
        let doc = try parse(svg)
        #expect(doc.text.contains("a<b&c (%)"))
        #expect(doc.text.contains("x & y <z>"))
        #expect(SVGText.escape("\u{1}'") == "\u{FFFD}&apos;")
    }

    @Test func emptyAndDegenerateInputsStillRender() throws {
        _ = try parse(SVGChart(title: "empty", duration: 0, series: [], markers: []).render())
        let odd = SVGChart(
            title: "odd", duration: -1,
            series: [PlotSeries(name: "n", unit: .celsius, times: [0, .nan, 2], values: [nil, 3, .infinity])],
            markers: [PlotMarker(kind: .fault, label: "late", start: 99, end: 120)], height: 300)
        _ = try parse(odd.render())
    }
}

@Suite struct ChartPartsTests {
    @Test func niceScale() {
        let s = NiceScale(minimum: 38, maximum: 229, targetTicks: 6)
        #expect(s.lower == 0 && s.upper == 250 && s.step == 50)
        #expect(s.ticks == [0, 50, 100, 150, 200, 250])
        #expect(NiceScale(minimum: 0.1, maximum: 0.9, targetTicks: 5).step == 0.2)
        #expect(NiceScale(minimum: 0, maximum: 10, targetTicks: 5).decimals == 1)
        #expect(NiceScale(minimum: 5, maximum: 5).upper > NiceScale(minimum: 5, maximum: 5).lower)
    }

    @Test func timeAxisLabels() {
        let long = TimeAxis(duration: 16 * 3600, maxTicks: 11)
        #expect(long.step == 7200)
        #expect(long.ticks.map(long.label) == ["0h", "2h", "4h", "6h", "8h", "10h", "12h", "14h", "16h"])
        let short = TimeAxis(duration: 3600, maxTicks: 11)
        #expect(short.ticks.map(short.label).prefix(3) == ["0m", "10m", "20m"])
        let secs = TimeAxis(duration: 60, maxTicks: 11)
        #expect(secs.label(30) == "30s")
    }

    @Test func numbersAreFixedAndLocaleFree() {
        #expect(SVGText.number(1234.56) == "1234.6")
        #expect(SVGText.number(-0.04) == "0")
        #expect(SVGText.number(2.5, decimals: 2) == "2.5")
        #expect(SVGText.number(-3.05, decimals: 1) == "-3.1" || SVGText.number(-3.05, decimals: 1) == "-3")
        #expect(SVGText.number(100, decimals: 0) == "100")
    }

    @Test func crowdedLabelsDoNotOverlap() {
        let items = (0..<5).map { MarkerLabelLayout.Item(x: 200 + Double($0) * 20, width: 50) }
        let placed = MarkerLabelLayout.place(items, minX: 0, maxX: 1000, maxRows: 6)
        for i in placed.indices {
            for j in placed.indices where i < j && placed[i].row == placed[j].row {
                #expect(placed[i].maxX <= placed[j].minX || placed[j].maxX <= placed[i].minX)
            }
        }
        #expect(Set(placed.map(\.row)).count > 1)
        let far = MarkerLabelLayout.place(
            [.init(x: 10, width: 40), .init(x: 500, width: 40)], minX: 0, maxX: 1000, maxRows: 6)
        #expect(far.map(\.row) == [0, 0])
        let edge = MarkerLabelLayout.place([.init(x: 990, width: 60)], minX: 0, maxX: 1000, maxRows: 3)
        #expect(edge[0].leftAligned == false && edge[0].maxX <= 990)
    }
}
