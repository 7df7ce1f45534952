import Foundation
import Simulation
import Testing
import VirtualDevices

@Suite("Device catalog")
struct DeviceCatalogTests {
    /// A shipped profile each protocol runs on.
    static func profile(for name: String) throws -> Profile {
        try ProfileLoader.shipped(name == CGMJSONLCodec.protocolName ? "cgm-t1d-day" : "smoker-brisket")
    }

    @Test func everyEntryBuildsADeviceFromAShippedProfile() throws {
        for entry in DeviceCatalog.standard.entries {
            let simulation = try Simulation(profile: Self.profile(for: entry.name))
            var device = try entry.make(simulation, DeviceOptions())
            #expect(device.protocolName == entry.name)
            #expect(device.baudRate == entry.lineSettings.baud)
            #expect(!entry.summary.isEmpty && !entry.summary.contains("\n"))
            device.reset()
            #expect(!device.advance(to: 600).isEmpty, "\(entry.name) printed nothing in 10 minutes")
        }
    }

    @Test func namesAreUniqueAndTheDefaultIsListed() {
        let names = DeviceCatalog.standard.names
        #expect(Set(names).count == names.count)
        #expect(names == ["smart-smoker", "heatermeter", "cgm-jsonl"])
        #expect(names.contains(DeviceCatalog.defaultProtocol))
        #expect(DeviceCatalog.standard.namesText == "smart-smoker, heatermeter or cgm-jsonl")
    }

    @Test func lineSettingsAreTheRealDevices() throws {
        #expect(try DeviceCatalog.standard.entry(named: "smart-smoker").lineSettings.description == "9600 8N1")
        #expect(try DeviceCatalog.standard.entry(named: "heatermeter").lineSettings.description == "38400 8N1")
        #expect(try DeviceCatalog.standard.entry(named: "cgm-jsonl").lineSettings.description == "9600 8N1")
    }

    @Test func anUnknownNameListsTheKnownOnes() {
        #expect {
            try DeviceCatalog.standard.entry(named: "telepathy")
        } throws: { error in
            guard let error = error as? DeviceCatalogError else { return false }
            return error.code == "unknownProtocol" && error.known == DeviceCatalog.standard.names
                && error.message == "unknown protocol 'telepathy' (known: smart-smoker, heatermeter, cgm-jsonl)"
        }
    }

    @Test func theProtocolIsTheRequestedOneElseTheProfilesElseTheDefault() throws {
        let cgm = try ProfileLoader.shipped("cgm-t1d-day")
        #expect(DeviceCatalog.protocolName(requested: "heatermeter", profile: cgm) == "heatermeter")
        #expect(DeviceCatalog.protocolName(requested: nil, profile: cgm) == cgm.device.protocolName)
    }

    @Test func cgmReadingsGoToTheSubscribers() throws {
        let log = EntryLog()
        let entry = try DeviceCatalog.standard.entry(named: "cgm-jsonl")
        var device = try entry.make(
            Simulation(profile: ProfileLoader.shipped("cgm-t1d-day")), DeviceOptions(cgmSubscribers: [log.subscriber]))
        _ = device.advance(to: 3 * 3600)
        #expect(!log.entries.isEmpty)
    }

    @Test func docsListEveryEntry() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/devices.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| `") && !$0.hasPrefix("| `--") }
        #expect(rows.count == DeviceCatalog.standard.entries.count)
        for entry in DeviceCatalog.standard.entries {
            let row = rows.first { $0.hasPrefix("| `\(entry.name)`") }
            #expect(row?.contains("| \(entry.lineSettings) |") == true, "docs/devices.md: no row for \(entry.name)")
            #expect(row?.contains(entry.summary.dropLast()) == true, "docs/devices.md: \(entry.name) summary differs")
        }
    }
}
