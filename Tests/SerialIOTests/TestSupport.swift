import CLinuxSupport
import Foundation
import SerialIO

#if canImport(Glibc)
    import Glibc
#endif

/// Collects what an AsyncStream yields, so tests can wait for conditions
/// with a bounded timeout instead of fixed sleeps.
actor Collector<Element: Sendable> {
    private(set) var items: [Element] = []
    private(set) var finished = false

    static func start(_ stream: AsyncStream<Element>) -> Collector<Element> {
        let collector = Collector<Element>()
        Task {
            for await item in stream { await collector.append(item) }
            await collector.finish()
        }
        return collector
    }

    private func append(_ item: Element) { items.append(item) }
    private func finish() { finished = true }

    /// Waits until `condition(items)` holds; false after `timeout`.
    func wait(timeout: Duration = .seconds(5), until condition: ([Element]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition(items) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }

    /// Waits until the stream finished; false after `timeout`.
    func waitUntilFinished(timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !finished {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}

extension Collector where Element == PTYEvent {
    func count(of event: PTYEvent) -> Int { items.filter { $0 == event }.count }
    func wait(forCount count: Int, of event: PTYEvent) async -> Bool {
        await wait { $0.filter { $0 == event }.count >= count }
    }
}

extension Collector where Element == [UInt8] {
    var bytes: [UInt8] { items.flatMap { $0 } }
    func wait(forBytes expected: [UInt8]) async -> Bool {
        await wait { $0.flatMap { $0 }.count >= expected.count } && bytes == expected
    }
}

/// A scratch directory removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/serialio-test-XXXXXX".utf8CString)
        guard let result = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: result)
    }

    deinit {
        _ = try? FileManager.default.removeItem(atPath: path)
    }
}

/// The "app": opens a port like pyserial does (non-blocking, no controlling tty).
enum App {
    static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return fd
    }

    static func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    /// Reads until `count` bytes arrived or `timeout` passed.
    static func read(_ fd: Int32, count: Int, timeout: Duration = .seconds(5)) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + timeout
        while result.count < count, ContinuousClock.now < deadline {
            guard devbridge_wait_readable(fd, 10) == 1 else { continue }
            let n = Glibc.read(fd, &buffer, min(buffer.count, count - result.count))
            if n > 0 { result += buffer[0..<n] }
        }
        return result
    }

    /// Bytes readable right now, without waiting.
    static func pending(_ fd: Int32) -> Int {
        Int(devbridge_input_queue_length(fd))
    }
}
