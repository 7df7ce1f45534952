#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Buffers encoded pcapng blocks and writes them to a file descriptor on
/// `flush()`. Not thread-safe (`TraceRecorder` wraps it in a lock).
///
/// Crash safety: bytes reach the kernel (and so survive SIGKILL of this
/// process) at each flush; `FlushPolicy` says when `flushIfDue` flushes.
/// Blocks are only ever written whole, so a kill between flushes loses at
/// most the buffered blocks and a kill inside `write(2)` leaves a truncated
/// last block, which `PcapngReader` skips with a warning.
public final class PcapngWriter {
    /// When buffered blocks must be written out.
    public struct FlushPolicy: Sendable, Equatable {
        /// Flush when this many bytes are buffered.
        public var maxPendingBytes: Int
        /// Flush when the oldest buffered block is this old (ns).
        public var maxDelayNanoseconds: UInt64
        /// Also `fsync` on flush (survives power loss, not only a crash).
        public var syncToDisk: Bool

        /// Creates a policy; the default flushes at 64 KiB or 250 ms.
        public init(
            maxPendingBytes: Int = 64 * 1024, maxDelayNanoseconds: UInt64 = 250_000_000, syncToDisk: Bool = false
        ) {
            self.maxPendingBytes = maxPendingBytes
            self.maxDelayNanoseconds = maxDelayNanoseconds
            self.syncToDisk = syncToDisk
        }
    }

    private var fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var oldestPending: UInt64?
    /// Bytes written to the file so far (flushed).
    public private(set) var bytesWritten: Int = 0
    /// The flush policy.
    public let policy: FlushPolicy

    /// Creates (truncating) the file at `path`.
    public init(path: String, policy: FlushPolicy = FlushPolicy()) throws(TraceError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TraceError(code: .io, message: "cannot create \(path)", path: path, errno: errno)
        }
        self.fd = fd
        self.path = path
        self.policy = policy
    }

    /// Buffers one block.
    public func append(_ block: PcapngBlock, now: UInt64 = TraceClock.monotonic()) {
        PcapngEncoder.append(block, to: &buffer)
        if oldestPending == nil { oldestPending = now }
    }

    /// Buffers one Enhanced Packet Block of traffic, encoding `data` straight into the buffer.
    public func appendPacket(
        interfaceID: UInt32, timestamp: UInt64, direction: TraceDirection, data: UnsafeRawBufferPointer,
        now: UInt64 = TraceClock.monotonic()
    ) {
        PcapngEncoder.appendPacket(
            interfaceID: interfaceID, timestamp: timestamp, direction: direction, data: data, to: &buffer)
        if oldestPending == nil { oldestPending = now }
    }

    /// Bytes buffered and not yet written.
    public var pendingBytes: Int { buffer.count }

    /// True when the policy asks for a flush at `now` (monotonic ns).
    public func flushDue(now: UInt64) -> Bool {
        guard let oldest = oldestPending else { return false }
        return buffer.count >= policy.maxPendingBytes || now &- oldest >= policy.maxDelayNanoseconds
    }

    /// Flushes if the policy says so.
    public func flushIfDue(now: UInt64 = TraceClock.monotonic()) throws(TraceError) {
        if flushDue(now: now) { try flush() }
    }

    /// Writes every buffered block to the file.
    public func flush() throws(TraceError) {
        guard fd >= 0, !buffer.isEmpty else { return }
        var offset = 0
        let failure: Int32? = buffer.withUnsafeBytes { raw -> Int32? in
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        bytesWritten += offset
        if offset == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else {
            buffer.removeFirst(offset)
        }
        if let failure {
            throw TraceError(code: .io, message: "cannot write \(path)", path: path, errno: failure)
        }
        oldestPending = buffer.isEmpty ? nil : oldestPending
        if policy.syncToDisk { fsync(fd) }
    }

    /// Flushes and closes the file.
    public func close() throws(TraceError) {
        guard fd >= 0 else { return }
        defer {
            _ = closeDescriptor(fd)
            fd = -1
        }
        try flush()
    }

    deinit {
        if fd >= 0 { _ = closeDescriptor(fd) }
    }
}

private func closeDescriptor(_ fd: Int32) -> Int32 {
    close(fd)
}
