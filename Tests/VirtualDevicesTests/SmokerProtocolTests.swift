import Testing
import VirtualDevices

@Suite("Smoker protocol factory")
struct SmokerProtocolTests {
    @Test("names round-trip and each factory codec matches its protocol")
    func factory() throws {
        #expect(SmokerProtocol.allCases.map(\.rawValue) == ["smart-smoker", "heatermeter"])
        for kind in SmokerProtocol.allCases {
            var codec = kind.makeCodec()
            #expect(codec.protocolName == kind.rawValue)
            #expect(SmokerProtocol(rawValue: codec.protocolName) == kind)
            let readings = SmokerReadings(setpoint: 225, pit: 225, food: [150, 150, 150], ambient: 70)
            let silent = (0..<codec.warmupLines).compactMap { _ in codec.nextLine(readings) }
            #expect(silent.isEmpty)
            let printed = codec.nextLine(readings)
            let line = try #require(printed)
            #expect(line.last == 0x0A)
        }
        #expect(SmokerProtocol.smartSmoker.makeCodec().baudRate == 9600)
        #expect(SmokerProtocol.heatermeter.makeCodec().baudRate == 38400)
    }
}
