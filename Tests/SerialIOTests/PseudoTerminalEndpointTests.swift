import CLinuxSupport
import Foundation
import SerialIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("PseudoTerminalEndpoint on real PTYs")
struct PseudoTerminalEndpointTests {
    @Test("an app opens and closes the link 100 times; data flows both ways after every reopen")
    func reopenManyTimes() async throws {
        let directory = try TemporaryDirectory()
        let link = directory.path + "/ttyUSB0"
        let endpoint = try await PseudoTerminalEndpoint.open(link: link)
        let events = Collector.start(endpoint.events)
        let inbound = Collector.start(endpoint.inbound)
        #expect(PTYLink.target(of: link) == endpoint.slavePath)

        var expectedInbound: [UInt8] = []
        for round in 1...100 {
            let fd = try App.open(link)
            #expect(await events.wait(forCount: round, of: .opened), "open \(round) not reported")
            let line = Array("tick \(round)\r\n".utf8)
            #expect(endpoint.write(line) == WriteResult(written: line.count, dropped: 0))
            #expect(App.read(fd, count: line.count) == line, "round \(round)")
            App.write(fd, "ack \(round)\n")
            expectedInbound += Array("ack \(round)\n".utf8)
            #expect(await inbound.wait(forBytes: expectedInbound), "round \(round)")
            Glibc.close(fd)
            #expect(await events.wait(forCount: round, of: .closed), "close \(round) not reported")
        }
        #expect(endpoint.statistics.clientOpens == 100)
        #expect(endpoint.statistics.openClients == 0)
        await endpoint.close()
    }

    @Test("the endpoint's own accesses are not reported; bytes sent while nobody has the port open are lost")
    func ownAccessNotCountedAndStaleBytesFlushed() async throws {
        let endpoint = try await PseudoTerminalEndpoint.open()
        let events = Collector.start(endpoint.events)
        _ = try endpoint.currentLineSettings()
        let stale = endpoint.write(Array("stale output nobody heard\r\n".utf8))
        #expect(stale.written == 0 && stale.dropped > 0)
        #expect(endpoint.isOpenByClient == false)

        let fd = try App.open(endpoint.slavePath)
        defer { Glibc.close(fd) }
        #expect(await events.wait { !$0.isEmpty })
        #expect(await events.items.first == .opened)
        #expect(endpoint.statistics.openClients == 1)
        #expect(endpoint.isOpenByClient)
        #expect(App.pending(fd) == 0, "output sent while the port was closed must be lost")

        let fresh = Array("fresh\r\n".utf8)
        endpoint.write(fresh)
        #expect(App.read(fd, count: fresh.count) == fresh)

        // A second client does not re-open the port; the port closes with the last one.
        let second = try App.open(endpoint.slavePath)
        #expect(await events.wait { _ in endpoint.statistics.openClients == 2 })
        Glibc.close(second)
        #expect(await events.wait { _ in endpoint.statistics.openClients == 1 })
        #expect(await events.count(of: .opened) == 1)
        #expect(await events.count(of: .closed) == 0)
        await endpoint.close()
    }

    @Test("bytes the app writes in pieces arrive whole and in order")
    func splitWritesArriveInOrder() async throws {
        let endpoint = try await PseudoTerminalEndpoint.open()
        let inbound = Collector.start(endpoint.inbound)
        let fd = try App.open(endpoint.slavePath)
        defer { Glibc.close(fd) }
        App.write(fd, "SET TEMP ")
        App.write(fd, "225\n")
        App.write(fd, "PING\n")
        #expect(await inbound.wait(forBytes: Array("SET TEMP 225\nPING\n".utf8)))
        #expect(endpoint.statistics.bytesReceived == 18)
        await endpoint.close()
    }

    @Test("writing 1 MB with nobody reading never blocks and reports drops", arguments: [false, true])
    func writesNeverBlock(appHoldsPortOpen: Bool) async throws {
        let endpoint = try await PseudoTerminalEndpoint.open()
        let fd = appHoldsPortOpen ? try App.open(endpoint.slavePath) : -1
        defer { if fd >= 0 { Glibc.close(fd) } }
        let chunk = [UInt8](repeating: 0x55, count: 4096)
        var written = 0
        var dropped = 0
        for _ in 0..<256 {
            let result = endpoint.write(chunk)
            #expect(result.written + result.dropped == chunk.count)
            written += result.written
            dropped += result.dropped
        }
        #expect(written + dropped == 1 << 20)
        #expect(dropped > 0)
        #expect(endpoint.statistics.bytesDropped == dropped)
        #expect(endpoint.statistics.bytesWritten == written)
        await endpoint.close()
        #expect(endpoint.write(chunk) == WriteResult(written: 0, dropped: chunk.count))
    }

    @Test("the slave starts raw at the device's settings; the app's changes are read back and reported")
    func lineSettingsReadBack() async throws {
        let device = LineSettings(baud: 9600)
        let endpoint = try await PseudoTerminalEndpoint.open(lineSettings: device)
        let events = Collector.start(endpoint.events)
        #expect(try endpoint.currentLineSettings() == device)

        let fd = try App.open(endpoint.slavePath)
        defer { Glibc.close(fd) }
        #expect(try LineSettings.read(fileDescriptor: fd) == device)
        var attributes = termios()
        #expect(tcgetattr(fd, &attributes) == 0)
        #expect(attributes.c_lflag & tcflag_t(ECHO | ICANON) == 0, "slave must start raw")

        // A standard rate through plain termios, as most apps do it.
        cfsetispeed(&attributes, speed_t(B38400))
        cfsetospeed(&attributes, speed_t(B38400))
        #expect(tcsetattr(fd, TCSANOW, &attributes) == 0)
        #expect(try endpoint.currentLineSettings() == LineSettings(baud: 38400))
        #expect(await events.wait { $0.contains(.lineSettingsChanged(LineSettings(baud: 38400))) })

        // A non-standard rate and two stop bits through termios2 (a PTY keeps
        // neither data bits nor parity: the kernel forces 8N).
        let odd = LineSettings(baud: 250_000, stopBits: .two)
        try LineSettings(baud: 250_000, dataBits: 7, parity: .even, stopBits: .two)
            .apply(fileDescriptor: fd, makeRaw: false)
        #expect(await events.wait { $0.contains(.lineSettingsChanged(odd)) })
        #expect(try endpoint.currentLineSettings() == odd)
        await endpoint.close()
    }

    @Test("an app at the wrong baud reads what a UART would: garbage")
    func baudMismatchGarblesOutput() async throws {
        let device = LineSettings(baud: 9600)
        let endpoint = try await PseudoTerminalEndpoint.open(lineSettings: device)
        let events = Collector.start(endpoint.events)
        let fd = try App.open(endpoint.slavePath)
        defer { Glibc.close(fd) }
        // Output is lost until the open is noticed, as on a real port.
        #expect(await events.wait(forCount: 1, of: .opened))
        let line = Array("{\"probe1\":\"225.00\"}\r\n".utf8)

        try LineSettings(baud: 115_200).apply(fileDescriptor: fd, makeRaw: false)
        let expected = BaudMismatchCorruptor(sender: device, receiver: LineSettings(baud: 115_200)).transform(line)
        let result = endpoint.write(line)
        #expect(result.written == expected.count)
        let garbage = App.read(fd, count: expected.count)
        #expect(garbage == expected)
        #expect(garbage != line)

        // The other way round: the app's 115200 bytes reach the 9600 device garbled.
        let inbound = Collector.start(endpoint.inbound)
        let command = Array("SET TEMP 225\n".utf8)
        let heard = BaudMismatchCorruptor(sender: LineSettings(baud: 115_200), receiver: device).transform(command)
        #expect(!heard.isEmpty)
        #expect(heard != command)
        App.write(fd, "SET TEMP 225\n")
        #expect(await inbound.wait(forBytes: heard))

        try device.apply(fileDescriptor: fd, makeRaw: false)
        endpoint.write(line)
        #expect(App.read(fd, count: line.count) == line)
        await endpoint.close()
    }
}
