import Foundation
import ProfileTools
import Simulation
import Testing

/// `devbridge profile plot`'s path: a shipped profile simulated and drawn.
@Suite struct ProfilePlotTests {
    @Test func brisketChartHasEveryChannelAndEvent() throws {
        let profile = try ProfileLoader.shipped("smoker-brisket")
        let svg = try ProfilePlot.render(profile: profile, until: 16 * 3600)
        #expect(svg.hasPrefix("<?xml") || svg.hasPrefix("<svg"))
        for text in ["pit", "meat1", "fan", "lid open to spritz", "wrap (stall)", "°F"] {
            #expect(svg.contains(text), "missing \(text)")
        }
        #expect(svg.utf8.count < 1_000_000)
        #expect(try ProfilePlot.render(profile: profile, until: 16 * 3600) == svg, "plots must be deterministic")
    }

    @Test func faultsAreMarked() throws {
        let profile = try ProfileLoader.shipped("smoker-probe-faults")
        let svg = try ProfilePlot.render(profile: profile, until: 12 * 3600)
        #expect(svg.contains("disconnect meat2"))
        #expect(svg.contains("probe unplugged to move it"))
    }
}
