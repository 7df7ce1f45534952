import DevicePort
import Testing

/// Reset-on-open as a pure state machine: opens and DTR edges in, reset decisions out.
@Suite struct ResetTriggerTests {
    let port = DevicePort(name: "smoker", lineSettings: .default9600)

    func ids() throws -> (EndpointID, EndpointID) {
        let pty = try #require(port.attach(RecordingEndpoint(), label: "pty")).id
        let tcp = try #require(port.attach(RecordingEndpoint(), label: "tcp")).id
        return (pty, tcp)
    }

    /// The decisions `trigger` takes for `events`, in order.
    func decisions(_ trigger: ResetTrigger, _ events: [(PortEvent, EndpointID)]) -> [Bool] {
        var trigger = trigger
        return events.map { trigger.shouldReset(after: $0.0, from: $0.1) }
    }

    static func dtr(_ on: Bool) -> PortEvent { .modemControl(dataTerminalReady: on, requestToSend: nil) }

    @Test func opensResetAndOnlyADropThenRaiseOfDTRDoes() throws {
        let (pty, tcp) = try ids()
        let steps: [(PortEvent, EndpointID)] = [
            (.opened, pty), (.closed, pty),
            (Self.dtr(true), tcp),  // a TCP client starts with DTR up: raising it again is no edge
            (Self.dtr(false), tcp), (.modemControl(dataTerminalReady: nil, requestToSend: true), tcp),
            (.lineSettings(.default9600), tcp), (.modemControl(dataTerminalReady: true, requestToSend: false), tcp),
            (Self.dtr(true), tcp),
        ]
        #expect(decisions(ResetTrigger(), steps) == [true, false, false, false, false, false, true, false])
    }

    @Test func eachEndpointHasItsOwnDTR() throws {
        let (pty, tcp) = try ids()
        // Another endpoint raising DTR is not the rise of the one that dropped it.
        let steps = [(Self.dtr(false), tcp), (Self.dtr(true), pty), (Self.dtr(true), tcp)]
        #expect(decisions(ResetTrigger(), steps) == [false, false, true])
    }

    @Test func disabledNeverResets() throws {
        let (pty, tcp) = try ids()
        let steps = [(.opened, pty), (Self.dtr(false), tcp), (Self.dtr(true), tcp)]
        #expect(decisions(ResetTrigger(enabled: false), steps) == [false, false, false])
    }
}
