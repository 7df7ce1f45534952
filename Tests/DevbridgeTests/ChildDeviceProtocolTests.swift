import DevicePort
import SerialIO
import Testing

@testable import DeviceBridgeService

/// The lines between the service and a process-isolated device's child.
@Suite struct ChildDeviceProtocolTests {
    @Test(arguments: [
        ClockAction.pause, .resume, .speed(60), .speed(0.5), .advance(seconds: 3600),
    ])
    func clockCommandsRoundTrip(action: ClockAction) throws {
        let line = ChildDeviceProtocol.commandLine(action)
        #expect(line.hasPrefix(":clock "))
        #expect(try ChildDeviceProtocol.clockAction(fromLine: line) == action)
    }

    @Test func eventsAreNotClockCommandsAndBadClockCommandsAreRefused() throws {
        #expect(try ChildDeviceProtocol.clockAction(fromLine: "lid_open duration=90s") == nil)
        for bad in [":clock", ":clock speed", ":clock speed fast", ":clock rewind 3", ":clock pause now"] {
            #expect(throws: ServiceError.self, "\(bad)") { try ChildDeviceProtocol.clockAction(fromLine: bad) }
        }
    }

    @Test func statusLinesCarryTheLiveFields() throws {
        var snapshot = DeviceSnapshot(
            name: "smoker", profile: "smoker-brisket", protocol: "smart-smoker", model: "smoker", isolation: "embedded",
            status: .running, error: nil, pty: nil, link: nil, baud: 9600, time: 123.5,
            clock: .init(speed: 60, paused: true),
            channels: [.init(name: "pit", unit: "°F", value: 225.5, state: "value")], outputs: ["fuel": 0.75],
            counters: nil, events: [], eventTypes: [], pid: nil, restarts: 0, exports: [])
        snapshot.counters = .init(linesWritten: 4, bytesWritten: 200, bytesDropped: 0, bytesReceived: 6, resets: 1)
        let line = ChildDeviceProtocol.statusLine(snapshot)
        #expect(!line.contains("\n"))
        #expect(ChildDeviceProtocol.status(fromLine: line) == snapshot)
        #expect(ChildDeviceProtocol.status(fromLine: "pty: /dev/pts/3") == nil)
        #expect(ChildDeviceProtocol.status(fromLine: "status: {\"name\":") == nil)  // cut short
    }

    @Test(arguments: [
        PortEvent.opened, .closed, .lineSettings(LineSettings(baud: 19200, dataBits: 7, parity: .even, stopBits: .two)),
        .modemControl(dataTerminalReady: false, requestToSend: nil),
        .modemControl(dataTerminalReady: nil, requestToSend: true),
        .modemControl(dataTerminalReady: true, requestToSend: false), .breakSignal(true), .breakSignal(false),
    ])
    func portEventsRoundTrip(event: PortEvent) throws {
        let line = ChildDeviceProtocol.eventLine(endpoint: 3, event)
        #expect(line.hasPrefix(":port 3 "))
        #expect(try ChildDeviceProtocol.portInput(fromLine: line) == .event(endpoint: 3, event))
    }

    @Test func bytesRoundTripBothWays() throws {
        let bytes: [UInt8] = [0, 255, 13, 10] + Array("{\"Meat\": \"nan\"}".utf8)
        let input = ChildDeviceProtocol.inputLine(endpoint: 12, bytes)
        #expect(try ChildDeviceProtocol.portInput(fromLine: input) == .data(endpoint: 12, bytes))
        let output = ChildDeviceProtocol.dataLine(bytes)
        #expect(ChildDeviceProtocol.data(fromLine: output) == bytes)
        #expect(ChildDeviceProtocol.data(fromLine: "status: {}") == nil)
        #expect(ChildDeviceProtocol.data(fromLine: "data: not*base64") == nil)
    }

    @Test func otherLinesAreNotPortLinesAndBadPortLinesAreRefused() throws {
        #expect(try ChildDeviceProtocol.portInput(fromLine: "lid_open duration=90s") == nil)
        #expect(try ChildDeviceProtocol.portInput(fromLine: ":clock pause") == nil)
        let bad = [
            ":data", ":data 1", ":data 0 AAAA", ":data x AAAA", ":data 1 ***", ":port 1", ":port 1 dtr 2",
            ":port 1 line 0 8 N 1", ":port 1 line 9600 8 Q 1", ":port 1 line 9600 8 N 3", ":port 1 opened now",
            ":port -1 closed", ":port 1 dtr 1 rts",
        ]
        for line in bad {
            #expect(throws: ServiceError.self, "\(line)") { try ChildDeviceProtocol.portInput(fromLine: line) }
        }
    }
}
