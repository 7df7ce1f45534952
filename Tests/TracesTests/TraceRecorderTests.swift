import Foundation
import Testing

@testable import Traces

private func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("traces-\(UUID().uuidString)-\(name)").path
}

@Test func recorderWritesInterfacesPacketsAndEvents() throws {
    let path = temporaryPath("rec.pcapng")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let recorder = try TraceRecorder(path: path)
    let tap = TraceTap(recorder: recorder, name: "/dev/ttyACM0", description: "test")
    tap.note(.open)
    tap.toDevice(Array("AT\r".utf8))
    tap.fromDevice(Array("OK\r\n".utf8))
    tap.note(.lineSettings(baud: 115_200, dataBits: 8, parity: "N", stopBits: 1))
    recorder.close()
    let trace = try TraceFile.load(path: path)
    #expect(trace.warning == nil)
    #expect(trace.serialInterfaces == ["/dev/ttyACM0"])
    #expect(trace.records.count == 4)
    let data = trace.records.filter { $0.linkType == TraceLinkType.serial }
    #expect(data.map(\.direction) == [.inbound, .outbound])
    #expect(data.map(\.data) == [Array("AT\r".utf8), Array("OK\r\n".utf8)])
    let events = trace.records.compactMap(\.event)
    #expect(events.map(\.interface) == ["/dev/ttyACM0", "/dev/ttyACM0"])
    #expect(events.map(\.event) == [.open, .lineSettings(baud: 115_200, dataBits: 8, parity: "N", stopBits: 1)])
    #expect(recorder.packetCount == 4)
}

@Test func explicitFlushMakesPacketsReadableBeforeClose() throws {
    let path = temporaryPath("flush.pcapng")
    defer { try? FileManager.default.removeItem(atPath: path) }
    // A policy that never flushes by itself: only flush() writes.
    let recorder = try TraceRecorder(
        path: path, options: .init(policy: .init(maxPendingBytes: .max, maxDelayNanoseconds: .max)))
    let port = recorder.addInterface(name: "p")
    recorder.record([1, 2, 3], direction: .outbound, interface: port)
    #expect(try TraceFile.load(path: path).records.isEmpty)
    try recorder.flush()
    #expect(try TraceFile.load(path: path).records.map(\.data) == [[1, 2, 3]])
    recorder.close()
}

@Test func rotationBySizeStartsCompleteNumberedFiles() throws {
    let path = temporaryPath("rot.pcapng")
    let recorder = try TraceRecorder(
        path: path, options: .init(policy: .init(maxPendingBytes: 1), rotation: TraceRotation(maxBytes: 200)))
    let port = recorder.addInterface(name: "p")
    for index in 0..<20 {
        recorder.record([UInt8](repeating: UInt8(index), count: 40), direction: .outbound, interface: port)
        recorder.flushIfDue()
    }
    recorder.close()
    let files = recorder.files
    defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
    #expect(files.count > 2)
    #expect(files[1] == path + ".1")
    var all: [[UInt8]] = []
    for file in files {
        let trace = try TraceFile.load(path: file)
        #expect(trace.warning == nil)
        #expect(trace.serialInterfaces == ["p"])
        all += trace.records.map(\.data)
    }
    #expect(all == (0..<20).map { [UInt8](repeating: UInt8($0), count: 40) })
}

@Test func sizeAndIntervalParsing() throws {
    #expect(try TraceRotation.parseSize("100MB") == 100_000_000)
    #expect(try TraceRotation.parseSize("1GiB") == 1 << 30)
    #expect(try TraceRotation.parseInterval("1h") == 3_600_000_000_000)
    #expect(try TraceRotation.parseInterval("90s") == 90_000_000_000)
    #expect(throws: TraceError.self) { try TraceRotation.parseSize("lots") }
}

@Test func showAndCSVExport() throws {
    let blocks: [PcapngBlock] = [
        .sectionHeader(PcapngSectionHeader()),
        .interfaceDescription(PcapngInterface(linkType: TraceLinkType.serial, name: "smoker")),
        .enhancedPacket(
            PcapngPacket(
                interfaceID: 0, timestamp: 1_000_000_000,
                data: Array("{\"Meat\": \"150.25\",\"Chamber\": \"225.00\"}\r\n{\"Meat\": \"nan\",".utf8),
                direction: .outbound)),
        .enhancedPacket(
            PcapngPacket(
                interfaceID: 0, timestamp: 3_500_000_000, data: Array("\"Chamber\": \"226.5\"}\r\n".utf8),
                direction: .outbound)),
    ]
    let trace = TraceFile(try PcapngReader.read(blocks.flatMap(PcapngEncoder.encode)))
    let csv = try TraceCSVExport.csv(trace, interface: "smoker")
    #expect(csv == "time,Meat,Chamber\n0.000000,150.25,225.00\n2.500000,,226.5\n")
    let show = TraceDump.lines(trace).joined(separator: "\n")
    #expect(show.contains("2.500000  smoker  out  21"))
    #expect(show.contains("7b 22 4d 65"))
    #expect(
        TraceCSVExport.fields(of: "$HMSU,225,224.5,150,U,70,50,48,0,40,0*5A").prefix(3).map(\.1) == [
            "225", "224.5", "150",
        ])
}
