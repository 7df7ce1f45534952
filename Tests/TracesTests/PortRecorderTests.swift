import DevicePort
import Foundation
import SerialIO
import Testing

@testable import Traces

/// A PTY-like endpoint for the recorder's neighbours: it only sends.
private final class ClientEndpoint: DevicePortEndpoint {
    func deviceOutput(_ bytes: [UInt8]) -> WriteResult { WriteResult(written: bytes.count, dropped: 0) }
}

@Suite struct PortRecorderTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("port-\(UUID().uuidString).pcapng").path

    @Test func recordsBothDirectionsAndTheEventsOfClientsAndDevice() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try TraceRecorder(path: path)
        let port = DevicePort(name: "/dev/ttyUSB0", lineSettings: LineSettings(baud: 9600))
        let tap = TraceTap(recorder: recorder, name: "/dev/ttyUSB0")
        let endpoint = try #require(PortRecorder.attach(to: port, tap: tap))
        let app = try #require(port.attach(ClientEndpoint(), label: "pty"))
        app.signal(.opened)
        app.send(Array("AT\r".utf8))
        port.emit(Array("OK\r\n".utf8))
        app.signal(.lineSettings(LineSettings(baud: 115_200)))  // the device's change is what counts
        port.setLineSettings(LineSettings(baud: 115_200))
        app.signal(.modemControl(dataTerminalReady: false, requestToSend: nil))
        app.signal(.breakSignal(true))
        app.signal(.breakSignal(false))
        port.setModemStatus([.clearToSend, .dataSetReady])
        port.setPresent(false)
        port.setPresent(true)
        port.reportLineErrors(0x04)
        app.signal(.closed)
        #expect(!endpoint.hasReader)
        #expect(port.hasReader)  // the neighbour reads; the recorder never counts
        endpoint.detach()
        port.emit([0])  // after detach: not recorded
        recorder.close()

        let trace = try TraceFile.load(path: path)
        let data = trace.records.filter { $0.linkType == TraceLinkType.serial }
        #expect(data.map(\.direction) == [.inbound, .outbound])
        #expect(data.map(\.data) == [Array("AT\r".utf8), Array("OK\r\n".utf8)])
        #expect(
            trace.records.compactMap(\.event).map(\.event) == [
                .lineSettings(baud: 9600, dataBits: 8, parity: "N", stopBits: 1), .open,
                .lineSettings(baud: 115_200, dataBits: 8, parity: "N", stopBits: 1),
                .modemLines(dtr: false, rts: nil), .breakSignal, .note("device lines CTS DSR"), .hangup, .open,
                .note("line errors 0x4"), .close,
            ])
    }
}
