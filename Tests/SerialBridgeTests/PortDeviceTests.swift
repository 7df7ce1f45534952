import DevicePort
import NIOCore
import NIOEmbedded
import SerialIO
import Synchronization
import Testing

@testable import SerialBridge

/// A provider that records what the export's endpoint sends.
private final class Provider: DevicePortProvider {
    let received = Mutex<[[UInt8]]>([])
    let events = Mutex<[PortEvent]>([])
    func portReceived(_ bytes: [UInt8], from endpoint: EndpointID) { received.withLock { $0.append(bytes) } }
    func portEvent(_ event: PortEvent, from endpoint: EndpointID) { events.withLock { $0.append(event) } }
}

/// The export's endpoint on a device port, driven as the RFC 2217 handler drives it: settings
/// reach the device as events at once (no poll), and the export's own baud garbles only its stream.
@Suite struct PortDeviceTests {
    let port = DevicePort(name: "smoker", lineSettings: LineSettings(baud: 9600))
    private let provider = Provider()
    let channel = EmbeddedChannel()
    let line = Array(#"{"Meat": "71.25","Meat2": "nan","Meat3": "nan","Chamber": "110.50"}"#.utf8) + [13, 10]

    func start(appliesClientSettings: Bool = false) throws -> (PortDevice, NIOLoopBoundBox<[UInt8]>) {
        if !appliesClientSettings { port.setProvider(provider) }
        let device = PortDevice(
            port: port, clientSettings: nil, emulateMismatch: true, trace: nil, eventLoop: channel.embeddedEventLoop,
            appliesClientSettings: appliesClientSettings)
        let read = NIOLoopBoundBox([UInt8](), eventLoop: channel.embeddedEventLoop)
        device.onRead = { buffer in read.value += buffer.readableBytesView }
        try channel.pipeline.syncOperations.addHandlers(
            TelnetCodec.server(comPort: true), ComPortOption(target: device))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        device.start()
        device.clientsChanged(1)  // the hub's one client: this channel
        // pyserial's negotiation: DO BINARY, WILL SGA, DO SGA, DO COM-PORT, WILL COM-PORT.
        try channel.writeInbound(
            ByteBuffer(bytes: [255, 253, 0, 255, 251, 3, 255, 253, 3, 255, 253, 44, 255, 251, 44]))
        while try channel.readOutbound(as: ByteBuffer.self) != nil {}
        return (device, read)
    }

    /// Everything the export sent back since the last call.
    func replies() throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
        return bytes
    }

    func setBaud(_ baud: UInt32) throws {
        let bytes = withUnsafeBytes(of: baud.bigEndian, Array.init)
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 1] + bytes + [255, 240]))
    }

    @Test func aBaudChangeReachesTheDeviceBeforeItsAcknowledgement() throws {
        _ = try start()
        try setBaud(19200)
        // The device heard of it while the request was handled: nothing to poll, nothing to wait for.
        #expect(provider.events.withLock { $0 } == [.lineSettings(LineSettings(baud: 19200))])
        var ack: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { ack += buffer.readableBytesView }
        #expect(ack == [255, 250, 44, 101, 0, 0, 0x4B, 0, 255, 240])
    }

    @Test func theExportsOwnBaudGarblesOnlyWhileItDiffers() throws {
        let (_, read) = try start()
        port.emit(line)
        channel.embeddedEventLoop.run()
        #expect(read.value == line)
        try setBaud(19200)
        read.value = []
        port.emit(line)
        channel.embeddedEventLoop.run()
        #expect(!read.value.isEmpty && read.value != line)
        // And what the client writes reaches the device garbled the same way.
        try channel.writeInbound(ByteBuffer(bytes: Array("/set?sp=250F\n".utf8)))
        #expect(provider.received.withLock { $0 }.last != Array("/set?sp=250F\n".utf8))
        try setBaud(9600)
        read.value = []
        port.emit(line)
        channel.embeddedEventLoop.run()
        #expect(read.value == line)
    }

    @Test func dtrAndBreakReachTheDeviceAndStatusLinesComeBack() throws {
        let (device, _) = try start()
        let nibbles = NIOLoopBoundBox([UInt8](), eventLoop: channel.embeddedEventLoop)
        device.onModemLines = { nibbles.value.append($0) }
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 5, 9, 255, 240]))  // DTR off
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 5, 8, 255, 240]))  // DTR on
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 5, 8, 255, 240]))  // again: no change
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 5, 5, 255, 240]))  // BREAK on
        #expect(
            provider.events.withLock { $0 } == [
                .modemControl(dataTerminalReady: false, requestToSend: nil),
                .modemControl(dataTerminalReady: true, requestToSend: nil),
                .breakSignal(true),
            ])
        port.setModemStatus([.clearToSend, .dataSetReady, .carrierDetect])
        channel.embeddedEventLoop.run()
        #expect(nibbles.value == [0xB0])
        #expect(device.comPortModemLines() == 0xB0)
    }

    @Test func withoutClientsTheExportTakesNothing() throws {
        let (device, read) = try start()
        device.clientsChanged(0)
        #expect(port.emit(line) == WriteResult(written: 0, dropped: line.count))
        #expect(!port.hasReader)
        channel.embeddedEventLoop.run()
        #expect(read.value.isEmpty)
        device.clientsChanged(2)
        #expect(port.emit(line) == WriteResult(written: line.count, dropped: 0))
    }

    @Test func theDevicesWritabilityReachesTheHubOnItsLoop() throws {
        let (device, _) = try start()
        let seen = NIOLoopBoundBox([Bool](), eventLoop: channel.embeddedEventLoop)
        device.onWritable = { seen.value.append($0) }
        port.setWritable(false)
        #expect(seen.value.isEmpty)  // not yet: it hops onto the export's loop
        channel.embeddedEventLoop.run()
        #expect(seen.value == [false] && !device.isWritable)
        port.setWritable(true)
        channel.embeddedEventLoop.run()
        #expect(seen.value == [false, true])
    }

    @Test func theDeviceStoppingClosesTheExportsDevice() throws {
        let (device, _) = try start()
        let states = NIOLoopBoundBox([Bool](), eventLoop: channel.embeddedEventLoop)
        device.onStateChange = { states.value.append($0) }
        port.close()
        channel.embeddedEventLoop.run()
        #expect(states.value == [false])
        #expect(!device.write(ByteBuffer(bytes: [1])))
    }

    @Test func flowControlAndPurgesReachTheDeviceAsEvents() throws {
        _ = try start()
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 5, 2, 255, 240]))  // XON/XOFF
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 5, 15, 255, 240]))  // inbound XON/XOFF: the same
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 5, 0, 255, 240]))  // query
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 12, 3, 255, 240]))  // purge both buffers
        #expect(provider.events.withLock { $0 } == [.flowControl(.software), .purge(input: true, output: true)])
        // Each acknowledged with the setting in force, in its group's codes.
        let acks: [[UInt8]] = [[105, 2], [105, 15], [105, 2], [112, 3]]
        #expect(try replies() == acks.flatMap { [255, 250, 44] + $0 + [255, 240] })
    }

    /// Over a host tty the provider applies settings at once; the acknowledgement reports what it took.
    @Test func overAHostTTYTheAcknowledgementReportsWhatTheDeviceTook() throws {
        let tty = ParityRefusingTTY(port: port)
        port.setProvider(tty)
        let (device, read) = try start(appliesClientSettings: true)
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 3, 3, 255, 240]))  // even parity
        try channel.writeInbound(ByteBuffer(bytes: [255, 250, 44, 1, 0, 0, 0x4B, 0, 255, 240]))  // 19200
        #expect(try replies() == [255, 250, 44, 103, 1, 255, 240, 255, 250, 44, 101, 0, 0, 0x4B, 0, 255, 240])
        #expect(port.lineSettings == LineSettings(baud: 19200))
        // No emulation: the tty's own bytes pass untouched at any setting.
        port.emit(line)
        channel.embeddedEventLoop.run()
        #expect(read.value == line)
        // And while the tty is away the export counts it closed.
        let states = NIOLoopBoundBox([Bool](), eventLoop: channel.embeddedEventLoop)
        device.onStateChange = { states.value.append($0) }
        port.setPresent(false)
        channel.embeddedEventLoop.run()
        #expect(states.value == [false] && !device.write(ByteBuffer(bytes: [1])))
        #expect(device.comPortModemLines() == 0)
        port.setPresent(true)
        channel.embeddedEventLoop.run()
        #expect(states.value == [false, true] && device.opens == 2)
    }
}

/// A host tty's provider in miniature: applies settings to the port at once, but has no parity (a PTY).
private final class ParityRefusingTTY: DevicePortProvider {
    let port: DevicePort
    init(port: DevicePort) { self.port = port }
    func portReceived(_ bytes: [UInt8], from endpoint: EndpointID) {}
    func portEvent(_ event: PortEvent, from endpoint: EndpointID) {
        guard case .lineSettings(var settings) = event else { return }
        settings.parity = .none
        port.setLineSettings(settings)
    }
}
