import Foundation
import SerialIO
import Testing

@testable import SerialBridge

@Suite(.serialized) struct AttachClientTests {
    @Test func urlsParse() throws {
        #expect(try AttachURL(parsing: "rfc2217://127.0.0.1:7000") == .rfc2217(host: "127.0.0.1", port: 7000))
        #expect(try AttachURL(parsing: "tcp://[::1]:7001") == .tcp(host: "::1", port: 7001))
        #expect(try AttachURL(parsing: "/dev/virtio-ports/smoker") == .device(path: "/dev/virtio-ports/smoker"))
        #expect(
            try AttachURL(parsing: "rfc2217:///dev/virtio-ports/smoker")
                == .rfc2217Device(path: "/dev/virtio-ports/smoker"))
        #expect(try AttachURL(parsing: "rfc2217:///dev/virtio-ports/smoker").speaksRFC2217)
        #expect(try !AttachURL(parsing: "/dev/virtio-ports/smoker").speaksRFC2217)
        #expect(throws: SerialBridgeError.self) { try AttachURL(parsing: "http://x:1") }
        #expect(throws: SerialBridgeError.self) { try AttachURL(parsing: "tcp://host") }
    }

    @Test func settingsCommandsForLineSettings() {
        let commands = ComPortClient.commands(
            for: .init(
                lineSettings: LineSettings(baud: 115_200, dataBits: 7, parity: .even, stopBits: .two), dtr: false))
        #expect(commands == [[1, 0, 1, 0xC2, 0], [2, 7], [3, 3], [4, 2], [5, 9]])
    }

    /// Host: a virtual device's PTY exported over RFC 2217. Guest: an attach PTY.
    /// The app's baud change on the guest PTY must reach the host PTY's termios.
    @Test func roundTripAndBaudChangeOverRealPTYs() async throws {
        let hostLink = temporaryLink("host")
        let guestLink = temporaryLink("guest")
        let device = try await PseudoTerminalEndpoint.open(link: hostLink, options: .init(emulateLineMismatch: false))
        let inbound = await InboundCollector.start(device)
        let server = try await ExportServer.start(ExportConfiguration(devicePath: hostLink, port: 0, mode: .rfc2217))
        let client = try await AttachClient(url: .rfc2217(host: "127.0.0.1", port: server.port), link: guestLink)
        let runner = Task { await client.run() }
        #expect(await eventually { client.isConnected })

        let app = open(guestLink, O_RDWR | O_NOCTTY | O_NONBLOCK)
        try #require(app >= 0)
        try LineSettings(baud: 57_600).apply(fileDescriptor: app, makeRaw: true)
        #expect(await eventually { (try? device.currentLineSettings().baud) == 57_600 })

        _ = Array("guest".utf8).withUnsafeBytes { write(app, $0.baseAddress, $0.count) }
        #expect(await inbound.wait { $0 == Array("guest".utf8) })
        device.write(Array("host".utf8))
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while received.count < 4, ContinuousClock.now < deadline {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = read(app, &buffer, 64)
            if n > 0 { received += buffer[..<n] } else { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(received == Array("host".utf8))
        close(app)
        runner.cancel()
        await runner.value
        await server.stop()
        await device.close()
    }
}
