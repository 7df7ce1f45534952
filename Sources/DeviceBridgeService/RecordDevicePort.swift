import Foundation
import SerialIO
import Synchronization

/// A real serial device opened for `devbridge record`: raw mode, reads on
/// a dedicated thread (so blocking I/O never ties up the async pool),
/// writes that wait for room.
final class RecordDevicePort: Sendable {
    /// What the reader thread delivers.
    enum Read: Sendable {
        case bytes([UInt8])
        case hangup(Int32)
    }

    let path: String
    let fd: Int32
    private let stopped = Atomic<Bool>(false)

    init(path: String) throws(SerialIOError) {
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw SerialIOError(
                code: .openFailed, message: "cannot open serial device \(path)", path: path, errno: errno)
        }
        self.path = path
        self.fd = fd
        if let settings = try? LineSettings.read(fileDescriptor: fd, path: path) {
            try? settings.apply(fileDescriptor: fd, makeRaw: true, path: path)
        }
    }

    /// The device's current line settings (nil if it is not a tty).
    var lineSettings: LineSettings? { try? LineSettings.read(fileDescriptor: fd, path: path) }

    /// Sets line settings, keeping raw mode.
    func apply(_ settings: LineSettings) throws(SerialIOError) {
        try settings.apply(fileDescriptor: fd, makeRaw: true, path: path)
    }

    /// Starts the reader thread.
    func reads() -> AsyncStream<Read> {
        let (stream, continuation) = AsyncStream.makeStream(of: Read.self)
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !stopped.load(ordering: .relaxed) {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, 100)
                if ready < 0, errno == EINTR { continue }
                if ready <= 0 { continue }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    continuation.yield(.bytes(Array(buffer[0..<count])))
                } else if count < 0, errno == EAGAIN || errno == EINTR {
                    continue
                } else {
                    continuation.yield(.hangup(count == 0 ? 0 : errno))
                    break
                }
            }
            continuation.finish()
        }
        thread.start()
        return stream
    }

    /// Writes all bytes, waiting (up to 2 s per stall) for room in the device's output queue.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Int {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EAGAIN || errno == EINTR {
                    var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&poller, 1, 2000) <= 0 { return }
                } else {
                    return
                }
            }
        }
        return offset
    }

    func close() {
        if !stopped.exchange(true, ordering: .relaxed) {
            usleep(150_000)  // let the reader thread leave poll() before the fd goes
            _ = Foundation.close(fd)
        }
    }
}
