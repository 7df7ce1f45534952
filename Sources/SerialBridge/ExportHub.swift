import Logging
import NIOCore

/// The fan-out between one device and its clients. Event-loop bound: the
/// device and every client channel live on the same loop, so no locks.
///
/// - Device output goes to every client. Each client's outbound queue is its
///   NIO channel buffer with a high-water mark of `clientQueueBytes`: a chunk
///   for a client that is not writable (it stopped reading) is dropped for
///   that client only (policy `drop`) or the client is closed (`disconnect`);
///   either way it is counted, and nobody else waits.
/// - A client that sent FLOWCONTROL-SUSPEND (RFC 2217) has device output
///   held for it, up to the same `clientQueueBytes`, and sent on
///   FLOWCONTROL-RESUME; beyond that the overflow policy applies as above.
/// - Each client chunk is written to the device whole, so writes from
///   several clients interleave in whole chunks.
/// - When the device itself backs up, clients stop being read (TCP
///   backpressure) until it drains.
/// - After each flush in either direction the ``BusyPoller`` may keep the
///   loop polling for a moment, so an answer is forwarded without a wake-up.
///
/// The decisions above are ``ExportHubState``'s, a value type tested on its
/// own; the hub does the I/O they call for.
final class ExportHub {
    /// A client's ``ExportClientHandler`` context: writes start there rather than at the
    /// pipeline's tail, which saves a generic `Channel.write` and a trip through the pipeline.
    final class Client {
        let context: ChannelHandlerContext
        var channel: any Channel { context.channel }
        var needsFlush = false
        init(context: ChannelHandlerContext) { self.context = context }
    }

    let configuration: ExportConfiguration
    let device: PortDevice
    let logger: Logger
    /// Who gets what: the decisions, apart from the I/O done here.
    private var state: ExportHubState<ObjectIdentifier, ByteBuffer>
    private var clients: [ObjectIdentifier: Client] = [:]
    let poller: BusyPoller

    init(configuration: ExportConfiguration, device: PortDevice, logger: Logger) {
        self.configuration = configuration
        self.device = device
        self.logger = logger
        self.state = ExportHubState(
            policy: .init(
                maxClients: configuration.maxClients, takeover: configuration.takeover,
                clientQueueBytes: configuration.clientQueueBytes, overflowPolicy: configuration.overflowPolicy,
                openPolicy: configuration.openPolicy, deviceQueueLimit: SerialDevice.queueHardLimit))
        self.poller = BusyPoller(eventLoop: device.eventLoop, window: TimeAmount(configuration.busyPoll))
        device.onRead = { [unowned self] buffer in self.deviceRead(buffer) }
        device.onReadComplete = { [unowned self] in
            for client in self.clients.values where client.needsFlush {
                client.needsFlush = false
                client.context.flush()
            }
            self.poller.burst()
        }
        device.onStateChange = { [unowned self] open in
            self.configuration.trace?.note(open ? .open : .hangup)
            self.state.statistics.deviceOpen = open
            self.state.statistics.deviceOpens = self.device.opens
        }
        device.onModemLines = { [unowned self] lines in
            self.notifyComPortClients(ComPortOption.ModemLinesChanged(lines: lines))
        }
        device.onLineErrors = { [unowned self] bits in
            self.state.statistics.lineErrorReports += 1
            self.configuration.trace?.note(.note("line errors 0x\(String(bits, radix: 16))"))
            self.notifyComPortClients(ComPortOption.LineErrorsDetected(bits: bits))
        }
        device.onWritable = { [unowned self] writable in
            for id in self.state.deviceWritabilityChanged(writable) {
                self.clients[id]?.channel.setOption(ChannelOptions.autoRead, value: writable).whenFailure { _ in }
            }
        }
    }

    /// Hands a device-state event to every client's ``ComPortOption`` (RFC 2217 mode only).
    private func notifyComPortClients(_ event: some Sendable) {
        guard configuration.mode == .rfc2217 else { return }
        for client in clients.values { client.channel.triggerUserOutboundEvent(event, promise: nil) }
    }

    func start() {
        poller.start()
        if configuration.openPolicy == .always { device.start() }
    }

    func stop() {
        poller.stop()
        device.stop()
        for client in clients.values { client.channel.close(promise: nil) }
    }

    /// Registers an accepted (and authenticated) client by its last handler's context; false if it was refused.
    func add(_ context: ChannelHandlerContext) -> Bool {
        let channel = context.channel
        // Closed before it got here (a telnet client that reset while its negotiation was being
        // sent): its channelInactive has passed, so an entry now would never be removed.
        guard channel.isActive else { return false }
        let id = ObjectIdentifier(channel)
        switch state.add(id) {
        case .refused:
            logger.info(
                "client refused: max-clients reached",
                metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
            return false
        case .accepted(let evicted, let paused, let startDevice):
            if let evicted, let victim = clients.removeValue(forKey: evicted) {
                logger.info("takeover: closing the oldest client")
                victim.channel.close(promise: nil)
            }
            clients[id] = Client(context: context)
            device.clientsChanged(clients.count)
            if paused { pause(channel) }
            if startDevice { device.start() }
            return true
        }
    }

    /// Stops reading a client until the device drains (TCP backpressure).
    private func pause(_ channel: any Channel) {
        channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
    }

    func remove(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let stopDevice = state.remove(id)
        guard clients.removeValue(forKey: id) != nil else { return }
        device.clientsChanged(clients.count)
        if stopDevice { device.stop() }
    }

    func clientData(_ buffer: ByteBuffer, from channel: any Channel) {
        switch state.clientWrote(ObjectIdentifier(channel), bytes: buffer.readableBytes, queued: device.queuedBytes) {
        case .ignore:
            return
        case .drop(let episodeStarted):
            pause(channel)
            if episodeStarted {
                logger.warning(
                    "device backed up: dropping client data",
                    metadata: ["device": "\(device.displayName)", "limit": "\(SerialDevice.queueHardLimit)"])
            }
            return
        case .forward(let paused):
            if paused { pause(channel) }
        }
        if device.write(buffer) {
            if let trace = configuration.trace { buffer.withUnsafeReadableBytes { trace.toDevice($0) } }
            state.statistics.deviceBytesOut += buffer.readableBytes
        } else {
            state.statistics.droppedWhileAbsent += buffer.readableBytes
        }
    }

    /// Flushes what clients wrote to the device in this read batch.
    func clientReadComplete() {
        device.flush()
        poller.burst()
    }

    /// Counters, with the poller's.
    var currentStatistics: ExportStatistics {
        var current = state.statistics
        current.busyPollWindows = poller.windows
        return current
    }

    /// FLOWCONTROL-SUSPEND (true) or -RESUME (false) from an RFC 2217 client; resuming sends what was held.
    func setSuspended(_ suspended: Bool, channel: any Channel) {
        let held = state.setSuspended(suspended, client: ObjectIdentifier(channel))
        guard !held.isEmpty, let client = clients[ObjectIdentifier(channel)] else { return }
        for buffer in held { client.context.write(NIOAny(buffer), promise: nil) }
        client.context.flush()
    }

    func writabilityChanged(_ channel: any Channel) {
        guard channel.isWritable else { return }
        state.clientDrained(ObjectIdentifier(channel))
    }

    private func deviceRead(_ buffer: ByteBuffer) {
        if let trace = configuration.trace { buffer.withUnsafeReadableBytes { trace.fromDevice($0) } }
        let deliveries = state.deviceOutput(buffer, bytes: buffer.readableBytes) { id in
            clients[id]?.channel.isWritable ?? false
        }
        for delivery in deliveries {
            switch delivery {
            case .write(let id):
                guard let client = clients[id] else { continue }
                client.context.write(NIOAny(buffer), promise: nil)
                client.needsFlush = true
            case .held:
                break
            case .dropped(let id, let episodeStarted):
                if episodeStarted { logOverflow(id, disconnecting: false) }
            case .disconnect(let id):
                logOverflow(id, disconnecting: true)
                clients[id]?.channel.close(promise: nil)
            }
        }
    }

    private func logOverflow(_ id: ObjectIdentifier, disconnecting: Bool) {
        logger.warning(
            "client queue full: \(disconnecting ? "disconnecting it" : "dropping its data")",
            metadata: [
                "peer": "\(clients[id]?.channel.remoteAddress.map { "\($0)" } ?? "?")",
                "overflowDroppedBytes": "\(state.statistics.overflowDroppedBytes)",
            ])
    }
}
