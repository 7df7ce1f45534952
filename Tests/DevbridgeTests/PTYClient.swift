import Foundation
import Testing

/// A minimal app-side client for a PTY link: open, read lines with a deadline, write, close.
struct PTYClient {
    let fd: Int32

    init(path: String) throws {
        fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    func close() { _ = Foundation.close(fd) }

    func write(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { Foundation.write(fd, $0.baseAddress, $0.count - 1) }
    }

    /// Sets the port's baud rate the way an app does (tcsetattr).
    func setBaud(_ baud: speed_t) {
        var t = termios()
        tcgetattr(fd, &t)
        cfmakeraw(&t)
        cfsetispeed(&t, baud)
        cfsetospeed(&t, baud)
        tcsetattr(fd, TCSANOW, &t)
    }

    /// Reads bytes until `count` lines ending in LF arrived or `timeout` passed.
    func readLines(_ count: Int, timeout: Double) -> [String] {
        var buffer: [UInt8] = []
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while lines.count < count && Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { continue }
            buffer.append(contentsOf: chunk[0..<n])
            while let newline = buffer.firstIndex(of: 0x0A) {
                lines.append(String(decoding: buffer[...newline], as: UTF8.self))
                buffer.removeSubrange(...newline)
            }
        }
        return lines
    }

    /// Bytes that arrive within `seconds`.
    func bytesWithin(_ seconds: Double) -> Int {
        var total = 0
        let deadline = Date().addingTimeInterval(seconds)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let n = read(fd, &chunk, chunk.count)
            if n > 0 { total += n }
        }
        return total
    }
}

/// A temporary directory removed at deinit.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "devbridge-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
