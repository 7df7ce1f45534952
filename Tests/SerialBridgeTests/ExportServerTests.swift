import Foundation
import NIOCore
import SerialIO
import Testing

@testable import SerialBridge

/// Real PTYs (a virtual device's endpoint, exported by its link) and real loopback sockets.
@Suite(.serialized) struct ExportServerTests {
    func export(
        _ link: String, mode: ExportMode = .raw, queue: Int = 65536,
        policy: OverflowPolicy = .drop
    ) async throws -> ExportServer {
        try await ExportServer.start(
            ExportConfiguration(
                devicePath: link, port: 0, mode: mode, clientQueueBytes: queue, overflowPolicy: policy,
                reopenInterval: .milliseconds(20)))
    }

    /// With a 10 ms window (bytes every millisecond turn around within it) the loop polls while
    /// the bytes flow and sleeps again afterwards; with none it never polls.
    @Test(arguments: [Duration.milliseconds(10), .zero])
    func busyPollingFollowsTheTrafficAndStops(window: Duration) async throws {
        let link = temporaryLink("busy-poll")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let inbound = await InboundCollector.start(device)
        let server = try await ExportServer.start(
            ExportConfiguration(devicePath: link, port: 0, reopenInterval: .milliseconds(20), busyPoll: window))
        #expect(await eventually { await server.statistics().deviceOpen })
        #expect(await eventually { device.isOpenByClient })  // the device PTY drops writes until it sees a client
        let client = try await TestClient.connect(port: server.port)
        for byte in 0..<100 {
            try await client.send([UInt8(byte)])
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(await inbound.wait { $0 == (0..<100).map(UInt8.init) })  // polling never holds data back
        let turns = { try await server.eventLoop.submit { server.hub.value.poller.turns }.get() }
        if window == .zero {
            #expect(await server.statistics().busyPollWindows == 0)
            #expect(try await turns() == 0)
        } else {
            #expect(await server.statistics().busyPollWindows > 0)
            #expect(try await turns() > 100)  // the loop went round without sleeping
            // Then the window passes and the loop sleeps again: no more turns while it is quiet.
            let stopped = await eventually {
                (try? await server.eventLoop.submit { server.hub.value.poller.isPolling }.get()) == false
            }
            #expect(stopped)
            let quiet = try await turns()
            #expect(try await turns() == quiet)
        }
        await client.close()
        await server.stop()
        await device.close()
    }

    @Test func busyPollOutsideItsRangeIsRefused() async throws {
        for window in [Duration.microseconds(-1), .milliseconds(11)] {
            let error = #expect(throws: SerialBridgeError.self) {
                try ExportConfiguration(devicePath: "/dev/null", port: 0, busyPoll: window).validate()
            }
            #expect(error?.message.contains("busy-poll must be between 0 and 10000 microseconds") == true)
        }
    }

    @Test func rawRoundTripWithTwoClients() async throws {
        let link = temporaryLink("raw")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let inbound = await InboundCollector.start(device)
        let server = try await export(link)
        #expect(await eventually { await server.statistics().deviceOpen })
        #expect(await eventually { device.isOpenByClient })  // the device PTY drops writes until it sees a client
        let a = try await TestClient.connect(port: server.port)
        let b = try await TestClient.connect(port: server.port)
        #expect(await eventually { await server.statistics().clients == 2 })
        device.write(Array("hello\n".utf8))
        #expect(await a.wait { $0 == Array("hello\n".utf8) })
        #expect(await b.wait { $0 == Array("hello\n".utf8) })
        try await a.send(Array("AAAA".utf8))
        try await b.send(Array("BBBB".utf8))
        #expect(await inbound.wait { $0.count == 8 })
        let text = String(decoding: await inbound.bytes, as: UTF8.self)
        #expect(text == "AAAABBBB" || text == "BBBBAAAA")  // whole chunks
        await a.close(); await b.close()
        await server.stop()
        await device.close()
    }

    @Test func deviceAbsentAtStartThenHangupAndReopenKeepClients() async throws {
        let link = temporaryLink("reopen")
        let server = try await export(link)
        let client = try await TestClient.connect(port: server.port)
        #expect(await server.statistics().deviceOpen == false)
        var device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        #expect(await eventually { await server.statistics().deviceOpen })
        let first = device
        #expect(await eventually { first.isOpenByClient })  // the device PTY drops writes until it sees a client
        device.write(Array("one".utf8))
        #expect(await client.wait { $0 == Array("one".utf8) })
        await device.close()  // hangup: the slave reads EIO
        #expect(await eventually { await !server.statistics().deviceOpen })
        device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        #expect(await eventually { await server.statistics().deviceOpens == 2 })
        let second = device
        #expect(await eventually { second.isOpenByClient })
        let inbound = await InboundCollector.start(device)
        device.write(Array("two".utf8))
        #expect(await client.wait { $0 == Array("onetwo".utf8) })
        try await client.send([42])
        #expect(await inbound.wait { $0 == [42] })
        #expect(await server.statistics().clients == 1)
        await client.close()
        await server.stop()
        await device.close()
    }

    @Test func clientThatNeverReadsDoesNotDelayAnother() async throws {
        let link = temporaryLink("slow")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let server = try await export(link, queue: 8192)
        #expect(await eventually { await server.statistics().deviceOpen })
        #expect(await eventually { device.isOpenByClient })  // the device PTY drops writes until it sees a client
        let stalled = try await TestClient.connect(port: server.port, reading: false)
        let reader = try await TestClient.connect(port: server.port)
        #expect(await eventually { await server.statistics().clients == 2 })
        var sent = 0
        let chunk = [UInt8](repeating: 0x55, count: 1024)
        for _ in 0..<1024 {  // 1 MiB, far beyond every socket and queue buffer of the stalled client
            sent += device.write(chunk).written
            let target = sent
            _ = await reader.wait(timeout: .seconds(2)) { $0.count >= target - 4096 }
        }
        #expect(await reader.wait { $0.count == sent })
        let stats = await server.statistics()
        #expect(stats.overflowDroppedBytes > 0)
        #expect(stats.overflowEpisodes >= 1)
        await stalled.close(); await reader.close()
        await server.stop()
        await device.close()
    }

    @Test func rfc2217BaudChangeReachesTheDeviceTermios() async throws {
        let link = temporaryLink("baud")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let server = try await export(link, mode: .rfc2217)
        #expect(await eventually { await server.statistics().deviceOpen })
        #expect(await eventually { device.isOpenByClient })  // the device PTY drops writes until it sees a client
        let client = try await TestClient.connect(port: server.port)
        try await client.send([255, 251, 44, 255, 253, 44])
        #expect(await client.wait { $0.firstRange(of: [255, 250, 44, 107]) != nil })  // initial modem state
        // 250000 baud is not a standard Bxxx rate: it must go through termios2.
        try await client.send([255, 250, 44, 1, 0, 3, 0xD0, 0x90, 255, 240, 255, 250, 44, 5, 8, 255, 240])
        let ack: [UInt8] = [255, 250, 44, 101, 0, 3, 0xD0, 0x90, 255, 240]
        #expect(await client.wait { $0.firstRange(of: ack) != nil })
        #expect(await client.wait { $0.firstRange(of: [255, 250, 44, 105, 8, 255, 240]) != nil })
        #expect(try device.currentLineSettings().baud == 250_000)
        device.write([255, 1])
        #expect(await client.wait { $0.suffix(3) == [255, 255, 1] })
        await client.close()
        await server.stop()
        await device.close()
    }

    /// PURGE-DATA of the receive buffer while the device streams: tcflush under NIO took away bytes
    /// epoll had reported readable, which trips NIO's read assertion in debug builds.
    @Test func purgesWhileTheDeviceStreamsAreAllAcknowledged() async throws {
        let link = temporaryLink("purge")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let server = try await export(link, mode: .rfc2217)
        #expect(await eventually { await server.statistics().deviceOpen })
        #expect(await eventually { device.isOpenByClient })  // the device PTY drops writes until it sees a client
        let client = try await TestClient.connect(port: server.port)
        try await client.send([255, 251, 44, 255, 253, 44])
        #expect(await client.wait { $0.firstRange(of: [255, 250, 44, 107]) != nil })
        let streaming = Task {
            while !Task.isCancelled {
                device.write([UInt8](repeating: 0x41, count: 256))
                try? await Task.sleep(for: .microseconds(200))
            }
        }
        let purges = 300
        for _ in 0..<purges {
            try await client.send([255, 250, 44, 12, 1, 255, 240])
            try await Task.sleep(for: .microseconds(100))
        }
        let ack: [UInt8] = [255, 250, 44, 112, 1, 255, 240]
        #expect(
            await client.wait(timeout: .seconds(10)) { bytes in
                var count = 0
                var rest = bytes[...]
                while let range = rest.firstRange(of: ack) {
                    count += 1
                    rest = rest[range.upperBound...]
                }
                return count == purges
            })
        streaming.cancel()
        _ = await streaming.value
        let before = client.bytes.count
        device.write(Array("after".utf8))
        #expect(await client.wait { $0.count >= before + 5 && $0.suffix(5) == Array("after".utf8) })
        await client.close()
        await server.stop()
        await device.close()
    }

    @Test func flowControlSuspendHoldsDeviceDataUntilResume() async throws {
        let link = temporaryLink("suspend")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let server = try await export(link, mode: .rfc2217, queue: 8192)
        #expect(await eventually { await server.statistics().deviceOpen })
        #expect(await eventually { device.isOpenByClient })  // the device PTY drops writes until it sees a client
        let client = try await TestClient.connect(port: server.port)
        try await client.send([255, 251, 44, 255, 253, 44])
        #expect(await client.wait { $0.firstRange(of: [255, 250, 44, 107]) != nil })
        // FLOWCONTROL-SUSPEND has no reply: a SET-LINESTATE-MASK after it shows it was handled.
        try await client.send([255, 250, 44, 8, 255, 240, 255, 250, 44, 10, 0, 255, 240])
        #expect(await client.wait { $0.firstRange(of: [255, 250, 44, 110, 0, 255, 240]) != nil })
        device.write(Array("held-1 ".utf8))
        device.write(Array("held-2".utf8))
        // Once the export has the bytes, a reply it sends after them would follow them on the wire.
        #expect(await eventually { await server.statistics().deviceBytesIn >= 13 })
        try await client.send([255, 250, 44, 10, 0, 255, 240])
        #expect(await client.wait { $0.ranges(of: [255, 250, 44, 110, 0, 255, 240]).count == 2 })
        #expect(client.bytes.firstRange(of: Array("held".utf8)) == nil)
        try await client.send([255, 250, 44, 9, 255, 240])  // FLOWCONTROL-RESUME
        #expect(await client.wait { $0.firstRange(of: Array("held-1 held-2".utf8)) != nil })
        #expect(await server.statistics().overflowDroppedBytes == 0)

        // Beyond the client's queue, held data overflows like any other stalled client's.
        try await client.send([255, 250, 44, 8, 255, 240, 255, 250, 44, 10, 0, 255, 240])
        let acks = { (bytes: [UInt8]) in bytes.ranges(of: [255, 250, 44, 110, 0, 255, 240]).count }
        #expect(await client.wait { acks($0) == 3 })
        let before = client.bytes.count
        for _ in 0..<16 { device.write([UInt8](repeating: 0x41, count: 1024)) }
        #expect(await eventually { await server.statistics().overflowDroppedBytes > 0 })
        try await client.send([255, 250, 44, 9, 255, 240])
        #expect(await client.wait { $0.count >= before + 4096 })
        // Every byte is either delivered or counted dropped, and no more than the queue was held.
        let settled = await eventually {
            await server.statistics().overflowDroppedBytes + client.bytes.count - before == 16 * 1024
        }
        #expect(settled)
        #expect(client.bytes.count - before <= 8192)
        await client.close()
        await server.stop()
        await device.close()
    }

    @Test func maxClientsRefusesAndTakeoverReplaces() async throws {
        let link = temporaryLink("max")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let server = try await ExportServer.start(ExportConfiguration(devicePath: link, port: 0, maxClients: 1))
        let first = try await TestClient.connect(port: server.port)
        #expect(await eventually { await server.statistics().clients == 1 })
        _ = try await TestClient.connect(port: server.port)
        #expect(await eventually { await server.statistics().clientsRefused == 1 })
        await first.close(); await server.stop()

        let takeover = try await ExportServer.start(
            ExportConfiguration(devicePath: link, port: 0, maxClients: 1, takeover: true))
        let old = try await TestClient.connect(port: takeover.port)
        #expect(await eventually { await takeover.statistics().clients == 1 })
        let new = try await TestClient.connect(port: takeover.port)
        #expect(await eventually { await takeover.statistics().clientsAccepted == 2 })
        try await old.channel.closeFuture.get()  // the old one was closed by the server
        #expect(await takeover.statistics().clients == 1)
        await new.close(); await takeover.stop()
        await device.close()
    }

    @Test func tokenIsRequiredInRawModeAndInsecureBindIsRefused() async throws {
        #expect(throws: SerialBridgeError.self) {
            try ExportConfiguration(devicePath: "/dev/null", host: "0.0.0.0", port: 0).validate()
        }
        try ExportConfiguration(devicePath: "/dev/null", host: "0.0.0.0", port: 0, insecure: true).validate()
        try ExportConfiguration(devicePath: "/dev/null", host: "0.0.0.0", port: 0, token: "t").validate()

        let link = temporaryLink("token")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let inbound = await InboundCollector.start(device)
        let server = try await ExportServer.start(ExportConfiguration(devicePath: link, port: 0, token: "s3cret"))
        #expect(await eventually { await server.statistics().deviceOpen })
        #expect(await eventually { device.isOpenByClient })  // the device PTY drops writes until it sees a client
        let bad = try await TestClient.connect(port: server.port)
        try await bad.send(Array("wrong\nX".utf8))
        try await bad.channel.closeFuture.get()
        let good = try await TestClient.connect(port: server.port)
        try await good.send(Array("s3cret\nok".utf8))
        #expect(await inbound.wait { $0 == Array("ok".utf8) })
        await good.close(); await server.stop()
        await device.close()
    }

    @Test func overflowDisconnectPolicyClosesTheStalledClientOnly() async throws {
        let link = temporaryLink("disconnect")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let server = try await export(link, queue: 4096, policy: .disconnect)
        #expect(await eventually { await server.statistics().deviceOpen })
        #expect(await eventually { device.isOpenByClient })  // the device PTY drops writes until it sees a client
        let stalled = try await TestClient.connect(port: server.port, reading: false)
        let reader = try await TestClient.connect(port: server.port)
        #expect(await eventually { await server.statistics().clients == 2 })
        var sent = 0
        for _ in 0..<512 {
            sent += device.write([UInt8](repeating: 7, count: 1024)).written
            let target = sent
            _ = await reader.wait(timeout: .seconds(2)) { $0.count >= target - 4096 }
        }
        // The stalled client does not read, so it would not notice the close itself: ask the server.
        #expect(await eventually { await server.statistics().overflowDisconnects == 1 })
        #expect(await reader.wait { $0.count == sent })
        #expect(await server.statistics().clients == 1)
        await stalled.close()
        await reader.close()
        await server.stop()
        await device.close()
    }

    @Test func openPolicyClientsOpensTheDeviceOnlyWhileClientsAreConnected() async throws {
        let link = temporaryLink("ondemand")
        let device = try await PseudoTerminalEndpoint.open(link: link, options: .init(emulateLineMismatch: false))
        let server = try await ExportServer.start(
            ExportConfiguration(devicePath: link, port: 0, openPolicy: .clients))
        #expect(await server.statistics().deviceOpen == false)
        let client = try await TestClient.connect(port: server.port)
        #expect(await eventually { await server.statistics().deviceOpen })
        #expect(await eventually { device.isOpenByClient })  // the device PTY drops writes until it sees a client
        await client.close()
        #expect(await eventually { await !server.statistics().deviceOpen })
        #expect(await eventually { !device.isOpenByClient })
        await server.stop()
        await device.close()
    }
}
