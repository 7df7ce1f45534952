import CLinuxSupport
import Foundation
import Testing

@testable import SerialIO

#if canImport(Glibc)
    import Glibc
#endif

/// Opens `count` endpoints at once, with a collector on each one's events.
private func openMany(_ count: Int) async throws -> [(PseudoTerminalEndpoint, Collector<PTYEvent>)] {
    try await withThrowingTaskGroup(of: (PseudoTerminalEndpoint, Collector<PTYEvent>).self) { group in
        for _ in 0..<count {
            group.addTask {
                let endpoint = try await PseudoTerminalEndpoint.open()
                return (endpoint, Collector.start(endpoint.events))
            }
        }
        var result: [(PseudoTerminalEndpoint, Collector<PTYEvent>)] = []
        for try await pair in group { result.append(pair) }
        return result
    }
}

@Suite("Many endpoints share one monitor")
struct ManyEndpointsTests {
    @Test("300 endpoints open at once: each sees its own app open and close, and nothing else")
    func threeHundredEndpoints() async throws {
        let endpoints = try await openMany(300)
        #expect(Set(endpoints.map { $0.0.slavePath }).count == 300)
        #expect(PTYMonitor.shared.watchCount >= 300)

        // Apps open the even ports only.
        var fds: [Int32] = []
        for (endpoint, _) in endpoints.enumerated().filter({ $0.offset % 2 == 0 }).map(\.element) {
            fds.append(try App.open(endpoint.slavePath))
        }
        for (index, (endpoint, events)) in endpoints.enumerated() where index % 2 == 0 {
            #expect(await events.wait(forCount: 1, of: .opened), "\(endpoint.slavePath) open not reported")
            #expect(endpoint.isOpenByClient)
        }
        for (index, (endpoint, events)) in endpoints.enumerated() where index % 2 == 1 {
            #expect(await events.items.isEmpty, "\(endpoint.slavePath) saw another port's events")
            #expect(!endpoint.isOpenByClient)
        }
        // Data reaches the right app.
        for (offset, fd) in fds.enumerated() {
            let line = Array("port \(offset * 2)\r\n".utf8)
            endpoints[offset * 2].0.write(line)
            #expect(App.read(fd, count: line.count) == line)
        }
        for fd in fds { Glibc.close(fd) }
        for (index, (endpoint, events)) in endpoints.enumerated() where index % 2 == 0 {
            #expect(await events.wait(forCount: 1, of: .closed), "\(endpoint.slavePath) close not reported")
            #expect(endpoint.statistics.clientOpens == 1)
        }
        for (endpoint, _) in endpoints { await endpoint.close() }
        for (_, events) in endpoints { #expect(await events.waitUntilFinished()) }
    }

    @Test("closing some endpoints leaves the others watched and polled; reused PTY numbers are watched afresh")
    func closeSomeKeepOthers() async throws {
        let endpoints = try await openMany(40)
        let (gone, kept) = (endpoints.prefix(20), endpoints.suffix(20))
        for (endpoint, _) in gone { await endpoint.close() }
        for (endpoint, events) in gone {
            #expect(await events.waitUntilFinished(), "\(endpoint.slavePath) events not finished")
            #expect(endpoint.write([1, 2, 3]) == WriteResult(written: 0, dropped: 3))
            #expect(endpoint.pendingClientBytes == 0)
            #expect(throws: SerialIOError.self) { try endpoint.currentLineSettings() }
        }
        // New endpoints likely take the freed PTY numbers.
        let fresh = try await openMany(20)
        let watched = Array(kept) + fresh
        var fds: [Int32] = []
        for (endpoint, _) in watched { fds.append(try App.open(endpoint.slavePath)) }
        for (endpoint, events) in watched {
            #expect(await events.wait(forCount: 1, of: .opened), "\(endpoint.slavePath) open not reported")
        }
        // The shared timer still polls termios of every remaining endpoint.
        for fd in fds { try LineSettings(baud: 19200).apply(fileDescriptor: fd, makeRaw: false) }
        for (endpoint, events) in watched {
            #expect(
                await events.wait { $0.contains(.lineSettingsChanged(LineSettings(baud: 19200))) },
                "\(endpoint.slavePath) change not reported")
        }
        for fd in fds { Glibc.close(fd) }
        for (endpoint, events) in watched {
            #expect(await events.wait(forCount: 1, of: .closed), "\(endpoint.slavePath) close not reported")
            #expect(await events.count(of: .opened) == 1)
            #expect(endpoint.statistics.openClients == 0)
        }
        for (endpoint, _) in watched { await endpoint.close() }
    }

    @Test("limit errors name the sysctl or ulimit to raise")
    func limitErrorsAreClear() {
        let instances = SystemLimits.inotifyInstanceError(path: "/dev/pts/9", errno: EMFILE)
        #expect(instances.code == .watchFailed)
        #expect(instances.description.contains("sysctl -w fs.inotify.max_user_instances="))
        let watches = SystemLimits.watchError(path: "/dev/pts/9", errno: ENOSPC)
        #expect(watches.description.contains("sysctl -w fs.inotify.max_user_watches="))
        #expect(watches.message.contains("/dev/pts/9"))
        let files = SystemLimits.ptyError(errno: EMFILE)
        #expect(files.code == .ptyOpenFailed)
        #expect(files.message.contains("ulimit -n"))
        let ptys = SystemLimits.ptyError(errno: ENOSPC)
        #expect(ptys.message.contains("kernel.pty.max"))
    }
}
