import DevicePort
import Logging
import SerialBridge
import SerialIO
import Synchronization
import Testing

/// An endpoint that collects device output and the port's announcements.
private final class CollectingEndpoint: DevicePortEndpoint {
    let output = Mutex<[UInt8]>([])
    let presence = Mutex<[Bool]>([])
    let closed = Mutex(false)
    func deviceOutput(_ bytes: [UInt8]) -> WriteResult {
        output.withLock { $0 += bytes }
        return WriteResult(written: bytes.count, dropped: 0)
    }
    func devicePresence(_ present: Bool) { presence.withLock { $0.append(present) } }
    func portClosed() { closed.withLock { $0 = true } }
}

/// ``HostTTYPort`` against a real tty: the slave of a PTY whose master plays the device.
@Suite struct HostTTYPortTests {
    let logger = Logger(label: "test.host-tty")

    @Test func bytesSettingsAndControlsGoBothWaysThroughThePort() async throws {
        let device = try await PseudoTerminalEndpoint.open(link: nil, options: .init(emulateLineMismatch: false))
        let inbound = await InboundCollector.start(device)
        let tty = try await HostTTYPort.open(HostTTYOptions(path: device.slavePath), logger: logger)
        let first = CollectingEndpoint()
        let second = CollectingEndpoint()
        let app = try #require(tty.port.attach(first, label: "pty"))
        _ = try #require(tty.port.attach(second, label: "tcp"))
        #expect(await eventually { device.isOpenByClient })

        _ = device.write(Array("temp 225\r\n".utf8))
        #expect(await eventually { first.output.withLock { $0 } == Array("temp 225\r\n".utf8) })
        #expect(await eventually { second.output.withLock { $0 } == Array("temp 225\r\n".utf8) })

        app.send(Array("GET\n".utf8))
        #expect(await inbound.wait { $0 == Array("GET\n".utf8) })

        // An endpoint's settings are applied to the tty, and the port follows.
        app.signal(.lineSettings(LineSettings(baud: 115_200, stopBits: .two)))  // a PTY refuses parity
        #expect(await eventually { (try? device.currentLineSettings().baud) == 115_200 })
        #expect(try device.currentLineSettings().stopBits == .two)
        #expect(await eventually { tty.port.lineSettings.baud == 115_200 })

        let counters = tty.counters
        #expect(counters.toDevice == 4 && counters.fromDevice == 10 && counters.hangups == 0)
        await tty.stop()
        await tty.waitUntilEnded()
        #expect(first.closed.withLock { $0 })
        await device.close()
    }

    @Test func aMissingTTYIsAnError() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await HostTTYPort.open(HostTTYOptions(path: "/dev/devbridge-no-such-tty"), logger: logger)
        }
    }

    @Test func withoutReopeningTheFirstHangupEndsThePort() async throws {
        let device = try await PseudoTerminalEndpoint.open(link: nil, options: .init(emulateLineMismatch: false))
        let tty = try await HostTTYPort.open(HostTTYOptions(path: device.slavePath, reopens: false), logger: logger)
        let endpoint = CollectingEndpoint()
        _ = try #require(tty.port.attach(endpoint, label: "pty"))
        #expect(await eventually { device.isOpenByClient })
        await device.close()  // the master goes: the tty hangs up
        await tty.waitUntilEnded()
        #expect(endpoint.presence.withLock { $0 } == [false])
        #expect(endpoint.closed.withLock { $0 })
        #expect(tty.counters.hangups == 1)
    }
}
