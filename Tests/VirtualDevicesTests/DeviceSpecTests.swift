import Simulation
import Testing
import VirtualDevices

@Suite("DeviceSpec: a device's view of a profile")
struct DeviceSpecTests {
    static let channels = """
        channels:
          pit: {curve: {knots: [[0s, 225F]]}}
          meat1: {curve: {knots: [[0s, 40F]]}}
          meat2: {curve: {knots: [[0s, 41F]]}}
          ambient: {curve: {knots: [[0s, 70F]]}}
          chamber: {curve: {knots: [[0s, 230F]]}}
        """

    @Test("without a device section, channels are taken by name")
    func defaultsByName() throws {
        let profile = try ProfileLoader.parse(yaml: Self.channels, file: "plain.yaml")
        #expect(profile.device == DeviceSection())
        let spec = DeviceSpec(profile: profile)
        #expect(spec == DeviceSpec(pit: "pit", food: ["meat1", "meat2"], ambient: "ambient"))
    }

    @Test("the device section wins where it speaks; an empty food list means no food probes")
    func sectionWins() throws {
        let yaml = Self.channels + "\ndevice: {protocol: heatermeter, pit: chamber, food: []}\n"
        let profile = try ProfileLoader.parse(yaml: yaml, file: "mapped.yaml")
        #expect(profile.device == DeviceSection(protocolName: "heatermeter", pit: "chamber", food: []))
        let spec = DeviceSpec(profile: profile)
        #expect(spec == DeviceSpec(protocolName: "heatermeter", pit: "chamber", food: [], ambient: "ambient"))
    }
}
