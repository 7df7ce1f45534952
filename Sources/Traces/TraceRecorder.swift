import Synchronization

/// Identifies an interface (endpoint) of a `TraceRecorder`.
public struct TraceInterfaceID: Sendable, Hashable {
    /// The pcapng interface index.
    public let index: UInt32
}

/// Records byte streams and events of any number of endpoints into a pcapng
/// file. Thread-safe; call it from any task or thread.
///
/// Usage:
/// ```swift
/// let recorder = try TraceRecorder(path: "session.pcapng")
/// let port = recorder.addInterface(name: "/dev/ttyUSB0")
/// recorder.record(bytesFromDevice, direction: .outbound, interface: port)
/// recorder.record(bytesFromApp, direction: .inbound, interface: port)
/// recorder.note(.lineSettings(baud: 115200, dataBits: 8, parity: "N", stopBits: 1), interface: port)
/// recorder.close()
/// ```
/// Direction convention: `.inbound` = app → device, `.outbound` = device → app.
///
/// Buffered blocks are written at least every `flushInterval` by a
/// background task (and whenever `Options.policy` says so), so a SIGKILL
/// loses at most the last flush interval. `close()` flushes everything.
public final class TraceRecorder: Sendable {
    /// Recorder settings.
    public struct Options: Sendable {
        /// Flush thresholds (size, age, fsync).
        public var policy: PcapngWriter.FlushPolicy
        /// Optional rotation into `FILE.1`, `FILE.2`, ….
        public var rotation: TraceRotation?
        /// `shb_userappl` of each file.
        public var application: String

        /// Creates options; defaults flush every 250 ms, no rotation.
        public init(
            policy: PcapngWriter.FlushPolicy = .init(), rotation: TraceRotation? = nil,
            application: String = "devbridge"
        ) {
            self.policy = policy
            self.rotation = rotation
            self.application = application
        }
    }

    private struct State: ~Copyable {
        var writer: PcapngWriter?
        var interfaces: [PcapngInterface] = []
        var eventsInterface: TraceInterfaceID?
        var fileIndex = 0
        var fileStarted: UInt64 = 0
        var error: TraceError?
        var packets = 0
    }

    /// The first file's path.
    public let path: String
    /// The settings.
    public let options: Options
    private let state: Mutex<State>
    private let flusher: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// Creates (truncating) `path` and starts the background flusher.
    public init(path: String, options: Options = Options()) throws(TraceError) {
        self.path = path
        self.options = options
        let writer = try PcapngWriter(path: path, policy: options.policy)
        writer.append(.sectionHeader(Self.header(options)))
        try writer.flush()
        state = Mutex(State(writer: writer, fileStarted: TraceClock.monotonic()))
        let interval = max(options.policy.maxDelayNanoseconds / 2, 10_000_000)
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .nanoseconds(Int64(interval)))
                guard let self else { return }
                self.flushIfDue()
            }
        }
        flusher.withLock { $0 = task }
    }

    deinit {
        flusher.withLock { $0?.cancel() }
    }

    private static func header(_ options: Options) -> PcapngSectionHeader {
        PcapngSectionHeader(options: [PcapngOption(code: PcapngOption.userApplication, text: options.application)])
    }

    /// Adds an endpoint; `name` is stored as `if_name` (a device or PTY path).
    @discardableResult
    public func addInterface(name: String, description: String? = nil, linkType: UInt16 = TraceLinkType.serial)
        -> TraceInterfaceID
    {
        state.withLock { state in
            let interface = PcapngInterface(linkType: linkType, name: name, description: description)
            state.interfaces.append(interface)
            state.writer?.append(.interfaceDescription(interface))
            return TraceInterfaceID(index: UInt32(state.interfaces.count - 1))
        }
    }

    /// Records bytes seen on `interface` (`.inbound` app → device, `.outbound` device → app).
    /// `timestamp` is ns since the epoch (default: now).
    public func record(
        _ bytes: [UInt8], direction: TraceDirection, interface: TraceInterfaceID, timestamp: UInt64? = nil
    ) {
        bytes.withUnsafeBytes { record($0, direction: direction, interface: interface, timestamp: timestamp) }
    }

    /// Records bytes seen on `interface` from memory the caller owns (a NIO `ByteBuffer`'s readable
    /// bytes, say): they are encoded straight into the file buffer, with no intermediate copy.
    public func record(
        _ bytes: UnsafeRawBufferPointer, direction: TraceDirection, interface: TraceInterfaceID,
        timestamp: UInt64? = nil
    ) {
        guard !bytes.isEmpty else { return }
        let time = timestamp ?? TraceClock.now()
        let data = BorrowedBytes(bytes: bytes)
        state.withLock { state in
            guard let writer = state.writer else { return }
            writer.appendPacket(interfaceID: interface.index, timestamp: time, direction: direction, data: data.bytes)
            appended(to: &state)
        }
    }

    /// Records an event (open, close, line settings…) of `interface` on the
    /// `events` interface, with the text also as the packet's `opt_comment`.
    public func note(_ event: TraceEvent, interface: TraceInterfaceID, timestamp: UInt64? = nil) {
        let time = timestamp ?? TraceClock.now()
        state.withLock { state in
            let name = interface.index < state.interfaces.count ? state.interfaces[Int(interface.index)].name ?? "" : ""
            let events: TraceInterfaceID
            if let existing = state.eventsInterface {
                events = existing
            } else {
                let interface = PcapngInterface(
                    linkType: TraceLinkType.events, name: TraceLinkType.eventsInterfaceName,
                    description: "devbridge events: '<interface>: <event>' text")
                state.interfaces.append(interface)
                state.writer?.append(.interfaceDescription(interface))
                events = TraceInterfaceID(index: UInt32(state.interfaces.count - 1))
                state.eventsInterface = events
            }
            let text = event.payload(interface: name)
            let packet = PcapngPacket(
                interfaceID: events.index, timestamp: time, data: Array(text.utf8), comment: text)
            append(.enhancedPacket(packet), to: &state)
        }
    }

    private func append(_ block: PcapngBlock, to state: inout State) {
        guard let writer = state.writer else { return }
        writer.append(block)
        appended(to: &state)
    }

    /// Counts a packet just buffered and flushes or rotates if due.
    private func appended(to state: inout State) {
        guard let writer = state.writer else { return }
        state.packets += 1
        do throws(TraceError) {
            try writer.flushIfDue()
            try rotateIfDue(&state)
        } catch {
            state.error = error
        }
    }

    /// Packets recorded so far (data and events, all files).
    public var packetCount: Int { state.withLock { $0.packets } }

    /// The first write error, if any (recording continues in memory-less mode).
    public var lastError: TraceError? { state.withLock { $0.error } }

    /// Writes buffered blocks if the flush policy says so (the background task calls this).
    public func flushIfDue() {
        state.withLock { state in
            do throws(TraceError) {
                try state.writer?.flushIfDue()
                try rotateIfDue(&state)
            } catch {
                state.error = error
            }
        }
    }

    /// Writes every buffered block now.
    public func flush() throws(TraceError) {
        try state.withLock { (state) throws(TraceError) in try state.writer?.flush() }
    }

    /// Flushes, closes the file and stops the background flusher. Idempotent.
    public func close() {
        flusher.withLock {
            $0?.cancel()
            $0 = nil
        }
        state.withLock { state in
            do throws(TraceError) { try state.writer?.close() } catch { state.error = error }
            state.writer = nil
        }
    }

    /// Paths of the files written so far, first to last.
    public var files: [String] {
        let last = state.withLock { $0.fileIndex }
        return (0...last).map { TraceRotation.path(base: path, index: $0) }
    }

    private func rotateIfDue(_ state: inout State) throws(TraceError) {
        guard let rotation = options.rotation, let writer = state.writer else { return }
        let now = TraceClock.monotonic()
        guard writer.pendingBytes == 0,
            rotation.isDue(bytes: writer.bytesWritten, ageNanoseconds: now &- state.fileStarted)
        else { return }
        try writer.close()
        state.fileIndex += 1
        let next = try PcapngWriter(
            path: TraceRotation.path(base: path, index: state.fileIndex), policy: options.policy)
        next.append(.sectionHeader(Self.header(options)))
        for interface in state.interfaces { next.append(.interfaceDescription(interface)) }
        try next.flush()
        state.writer = next
        state.fileStarted = now
    }
}

/// The caller's bytes, read only inside the recorder's lock while the caller's call is running.
private struct BorrowedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}

/// A recorder bound to one interface: what a device runner or bridge holds.
public struct TraceTap: Sendable {
    /// The recorder.
    public let recorder: TraceRecorder
    /// The interface this tap records on.
    public let interface: TraceInterfaceID

    /// Adds an interface named `name` to `recorder` and taps it.
    public init(recorder: TraceRecorder, name: String, description: String? = nil) {
        self.recorder = recorder
        self.interface = recorder.addInterface(name: name, description: description)
    }

    /// Bytes the app wrote to the device (inbound).
    public func toDevice(_ bytes: [UInt8]) { recorder.record(bytes, direction: .inbound, interface: interface) }

    /// Bytes the app wrote to the device (inbound), from memory the caller owns.
    public func toDevice(_ bytes: UnsafeRawBufferPointer) {
        recorder.record(bytes, direction: .inbound, interface: interface)
    }

    /// Bytes the device sent to the app (outbound).
    public func fromDevice(_ bytes: [UInt8]) { recorder.record(bytes, direction: .outbound, interface: interface) }

    /// Bytes the device sent to the app (outbound), from memory the caller owns.
    public func fromDevice(_ bytes: UnsafeRawBufferPointer) {
        recorder.record(bytes, direction: .outbound, interface: interface)
    }

    /// Bytes in an explicit direction.
    public func record(_ bytes: [UInt8], direction: TraceDirection) {
        recorder.record(bytes, direction: direction, interface: interface)
    }

    /// An event of this interface.
    public func note(_ event: TraceEvent) { recorder.note(event, interface: interface) }
}
