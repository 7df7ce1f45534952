import DevicePort
import SerialIO
import Synchronization
import Testing

/// An endpoint that records what the port sends it; `room` caps what its client takes.
final class RecordingEndpoint: DevicePortEndpoint {
    struct Seen {
        var output: [[UInt8]] = []
        var modem: [ModemLines] = []
        var settings: [LineSettings] = []
        var writable: [Bool] = []
        var closed = false
    }
    let seen = Mutex(Seen())
    let room: Int
    let reader: Bool
    let ready: Bool

    init(room: Int = .max, reader: Bool = true, ready: Bool = true) {
        self.room = room
        self.reader = reader
        self.ready = ready
    }

    func deviceOutput(_ bytes: [UInt8]) -> WriteResult {
        let taken = min(room, bytes.count)
        seen.withLock { $0.output.append(Array(bytes.prefix(taken))) }
        return WriteResult(written: taken, dropped: bytes.count - taken)
    }
    func deviceModemStatus(_ lines: ModemLines) { seen.withLock { $0.modem.append(lines) } }
    func deviceLineSettings(_ settings: LineSettings) { seen.withLock { $0.settings.append(settings) } }
    func deviceWritable(_ writable: Bool) { seen.withLock { $0.writable.append(writable) } }
    func portClosed() { seen.withLock { $0.closed = true } }
    var hasReader: Bool { reader }
    var readyForMore: Bool { ready }
}

/// A provider that records what endpoints send.
final class RecordingProvider: DevicePortProvider {
    let received = Mutex<[(EndpointID, [UInt8])]>([])
    let events = Mutex<[(EndpointID, PortEvent)]>([])
    func portReceived(_ bytes: [UInt8], from endpoint: EndpointID) {
        received.withLock { $0.append((endpoint, bytes)) }
    }
    func portEvent(_ event: PortEvent, from endpoint: EndpointID) { events.withLock { $0.append((endpoint, event)) } }
}

@Suite struct DevicePortTests {
    let port = DevicePort(name: "smoker", lineSettings: LineSettings(baud: 9600))

    @Test func everyEndpointGetsEveryByte() throws {
        let a = RecordingEndpoint()
        let b = RecordingEndpoint(room: 2)
        _ = try #require(port.attach(a, label: "pty"))
        _ = try #require(port.attach(b, label: "tcp"))
        let result = port.emit(Array("hello".utf8))
        #expect(result == WriteResult(written: 5, dropped: 0))
        #expect(a.seen.withLock { $0.output } == [Array("hello".utf8)])
        #expect(b.seen.withLock { $0.output } == [Array("he".utf8)])
    }

    @Test func outputNobodyTookCountsAsDropped() throws {
        _ = try #require(port.attach(RecordingEndpoint(room: 0), label: "pty"))
        #expect(port.emit([1, 2, 3]) == WriteResult(written: 0, dropped: 3))
        let empty = DevicePort(name: "x", lineSettings: .default9600)
        #expect(empty.emit([1]) == WriteResult(written: 0, dropped: 1))
    }

    @Test func clientBytesAndEventsReachTheProviderWithTheirEndpoint() throws {
        let provider = RecordingProvider()
        port.setProvider(provider)
        let pty = try #require(port.attach(RecordingEndpoint(), label: "pty"))
        let tcp = try #require(port.attach(RecordingEndpoint(), label: "tcp"))
        pty.send(Array("A".utf8))
        tcp.signal(.modemControl(dataTerminalReady: false, requestToSend: nil))
        tcp.send([])  // nothing to deliver
        #expect(provider.received.withLock { $0.map(\.0) } == [pty.id])
        #expect(provider.received.withLock { $0.map(\.1) } == [Array("A".utf8)])
        let events = provider.events.withLock { $0 }
        #expect(events.count == 1)
        #expect(events.first?.0 == tcp.id && events.first?.0 != pty.id)
        #expect(events.first?.1 == .modemControl(dataTerminalReady: false, requestToSend: nil))
        #expect(tcp.id.label == "tcp")
    }

    @Test func aDetachedEndpointNeitherHearsNorSpeaks() throws {
        let provider = RecordingProvider()
        port.setProvider(provider)
        let endpoint = RecordingEndpoint()
        let attachment = try #require(port.attach(endpoint, label: "tcp"))
        attachment.detach()
        attachment.detach()
        port.emit([1])
        attachment.send([2])
        attachment.signal(.opened)
        #expect(endpoint.seen.withLock { $0.output }.isEmpty)
        #expect(provider.received.withLock { $0 }.isEmpty && provider.events.withLock { $0 }.isEmpty)
        #expect(port.endpointCount == 0)
    }

    @Test func closingTellsEveryEndpointAndRefusesNewOnes() throws {
        let endpoint = RecordingEndpoint()
        _ = try #require(port.attach(endpoint, label: "pty"))
        port.close()
        #expect(endpoint.seen.withLock { $0.closed })
        #expect(port.attach(RecordingEndpoint(), label: "tcp") == nil)
        #expect(port.emit([1]).written == 0)
    }

    @Test func modemStatusAndLineSettingsChangesAreAnnouncedOnce() throws {
        let endpoint = RecordingEndpoint()
        _ = try #require(port.attach(endpoint, label: "tcp"))
        port.setModemStatus([.clearToSend, .dataSetReady, .dataTerminalReady])
        port.setModemStatus([.clearToSend, .dataSetReady])
        port.setLineSettings(LineSettings(baud: 9600))
        port.setLineSettings(LineSettings(baud: 19200))
        // DTR is the app's line, not the device's: it is not part of the status.
        #expect(endpoint.seen.withLock { $0.modem } == [[.clearToSend, .dataSetReady]])
        #expect(endpoint.seen.withLock { $0.settings } == [LineSettings(baud: 19200)])
        #expect(port.lineSettings.baud == 19200)
    }

    @Test func readyForMoreWaitsForEveryReader() throws {
        #expect(!port.readyForMore)  // nobody reads
        _ = try #require(port.attach(RecordingEndpoint(reader: false, ready: false), label: "pty"))
        #expect(!port.readyForMore && !port.hasReader)
        _ = try #require(port.attach(RecordingEndpoint(), label: "tcp"))
        #expect(port.readyForMore && port.hasReader)
        _ = try #require(port.attach(RecordingEndpoint(ready: false), label: "tcp"))
        #expect(!port.readyForMore)
    }

    @Test func writabilityChangesReachAttachedEndpointsOnly() throws {
        let endpoint = RecordingEndpoint()
        let attachment = try #require(port.attach(endpoint, label: "tcp"))
        port.setWritable(false)
        port.setWritable(false)
        #expect(!port.isWritable)
        attachment.detach()
        port.setWritable(true)
        #expect(endpoint.seen.withLock { $0.writable } == [false])
    }
}

/// An endpoint that also hears the other endpoints' clients (as the recorder does).
final class ObservingEndpoint: DevicePortEndpoint {
    let heard = Mutex<[String]>([])
    let provider: RecordingProvider
    init(provider: RecordingProvider) { self.provider = provider }
    func deviceOutput(_ bytes: [UInt8]) -> WriteResult { WriteResult(written: bytes.count, dropped: 0) }
    func devicePresence(_ present: Bool) { heard.withLock { $0.append("present \(present)") } }
    func deviceLineErrors(_ bits: UInt8) { heard.withLock { $0.append("errors \(bits)") } }
    var observesClients: Bool { true }
    func clientSent(_ bytes: [UInt8], from endpoint: EndpointID) {
        // The provider has not had them yet: observers hear first.
        let providerHad = provider.received.withLock { $0.count }
        heard.withLock { $0.append("\(endpoint.label) sent \(bytes.count), provider had \(providerHad)") }
    }
    func clientEvent(_ event: PortEvent, from endpoint: EndpointID) {
        heard.withLock { $0.append("\(endpoint.label) \(event)") }
    }
}

@Suite struct DevicePortObserverTests {
    let port = DevicePort(name: "tty", lineSettings: .default9600)

    @Test func observersHearOtherClientsBeforeTheProvider() throws {
        let provider = RecordingProvider()
        port.setProvider(provider)
        let observer = ObservingEndpoint(provider: provider)
        let recorder = try #require(port.attach(observer, label: "recorder"))
        let pty = try #require(port.attach(RecordingEndpoint(), label: "pty"))
        pty.send([1, 2, 3])
        pty.signal(.opened)
        #expect(observer.heard.withLock { $0 } == ["pty sent 3, provider had 0", "pty opened"])
        #expect(provider.received.withLock { $0.count } == 1)
        recorder.detach()
        pty.send([4])
        #expect(observer.heard.withLock { $0.count } == 2)
        #expect(provider.received.withLock { $0.count } == 2)
    }

    @Test func presenceAndLineErrorsReachEndpointsOnce() throws {
        let observer = ObservingEndpoint(provider: RecordingProvider())
        _ = try #require(port.attach(observer, label: "recorder"))
        #expect(port.isPresent)
        port.setPresent(true)  // no change: not announced
        port.setPresent(false)
        port.setPresent(false)
        port.reportLineErrors(0)  // nothing counted: not announced
        port.reportLineErrors(0x08)
        port.setPresent(true)
        #expect(observer.heard.withLock { $0 } == ["present false", "errors 8", "present true"])
    }
}
