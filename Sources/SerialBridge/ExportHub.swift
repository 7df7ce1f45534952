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
final class ExportHub {
    final class Client {
        /// The client's ``ExportClientHandler`` context: writes start there rather than at the
        /// pipeline's tail, which saves a generic `Channel.write` and a trip through the pipeline.
        let context: ChannelHandlerContext
        var channel: any Channel { context.channel }
        var overflowing = false
        var suspended = false
        var needsFlush = false
        /// Device output held while the client is suspended.
        var held = CircularBuffer<ByteBuffer>()
        var heldBytes = 0
        init(context: ChannelHandlerContext) { self.context = context }
    }

    let configuration: ExportConfiguration
    let device: any ExportedDevice
    let logger: Logger
    private(set) var clients: [ObjectIdentifier: Client] = [:]
    private var order: [ObjectIdentifier] = []
    var statistics = ExportStatistics()
    private var deviceWritable = true
    /// True during an episode of dropping client data for a backed-up device (logged once per episode).
    private var droppingWhileBackedUp = false
    let poller: BusyPoller

    init(configuration: ExportConfiguration, device: any ExportedDevice, logger: Logger) {
        self.configuration = configuration
        self.device = device
        self.logger = logger
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
            self.statistics.deviceOpen = open
            self.statistics.deviceOpens = self.device.opens
        }
        device.onModemLines = { [unowned self] lines in
            self.notifyComPortClients(ComPortOption.ModemLinesChanged(lines: lines))
        }
        device.onLineErrors = { [unowned self] bits in
            self.statistics.lineErrorReports += 1
            self.configuration.trace?.note(.note("line errors 0x\(String(bits, radix: 16))"))
            self.notifyComPortClients(ComPortOption.LineErrorsDetected(bits: bits))
        }
        device.onWritable = { [unowned self] writable in
            self.deviceWritable = writable
            for client in self.clients.values {
                client.channel.setOption(ChannelOptions.autoRead, value: writable).whenFailure { _ in }
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
        if clients.count >= configuration.maxClients {
            guard configuration.takeover, let oldest = order.first, let victim = clients[oldest] else {
                statistics.clientsRefused += 1
                logger.info(
                    "client refused: max-clients reached",
                    metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
                return false
            }
            logger.info("takeover: closing the oldest client")
            remove(victim.channel)
            victim.channel.close(promise: nil)
        }
        let id = ObjectIdentifier(channel)
        clients[id] = Client(context: context)
        order.append(id)
        statistics.clientsAccepted += 1
        statistics.clients = clients.count
        device.clientsChanged(clients.count)
        if !deviceWritable { pause(channel) }
        if configuration.openPolicy == .clients { device.start() }
        return true
    }

    /// Stops reading a client until the device drains (TCP backpressure).
    private func pause(_ channel: any Channel) {
        channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
    }

    func remove(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        guard clients.removeValue(forKey: id) != nil else { return }
        order.removeAll { $0 == id }
        statistics.clients = clients.count
        device.clientsChanged(clients.count)
        if clients.isEmpty, configuration.openPolicy == .clients { device.stop() }
    }

    func clientData(_ buffer: ByteBuffer, from channel: any Channel) {
        guard clients[ObjectIdentifier(channel)] != nil else { return }
        if !device.isWritable {
            // A client still reading while the device is backed up (read in the same loop turn,
            // before writability was announced) stops here.
            pause(channel)
            // NIO reads a closing client to its end whatever autoRead says, so clients that send
            // a socket buffer's worth and hang up could queue without limit: past the hard limit
            // their bytes are dropped and counted.
            if device.queuedBytes + buffer.readableBytes > SerialDevice.queueHardLimit {
                if !droppingWhileBackedUp {
                    logger.warning(
                        "device backed up: dropping client data",
                        metadata: ["device": "\(device.displayName)", "limit": "\(SerialDevice.queueHardLimit)"])
                }
                droppingWhileBackedUp = true
                statistics.droppedWhileBackedUp += buffer.readableBytes
                return
            }
        }
        droppingWhileBackedUp = false
        if device.write(buffer) {
            if let trace = configuration.trace { buffer.withUnsafeReadableBytes { trace.toDevice($0) } }
            statistics.deviceBytesOut += buffer.readableBytes
        } else {
            statistics.droppedWhileAbsent += buffer.readableBytes
        }
    }

    /// Flushes what clients wrote to the device in this read batch.
    func clientReadComplete() {
        device.flush()
        poller.burst()
    }

    /// Counters, with the poller's.
    var currentStatistics: ExportStatistics {
        var current = statistics
        current.busyPollWindows = poller.windows
        return current
    }

    /// FLOWCONTROL-SUSPEND (true) or -RESUME (false) from an RFC 2217 client; resuming sends what was held.
    func setSuspended(_ suspended: Bool, channel: any Channel) {
        guard let client = clients[ObjectIdentifier(channel)], client.suspended != suspended else { return }
        client.suspended = suspended
        guard !suspended else { return }
        while let buffer = client.held.popFirst() { client.context.write(NIOAny(buffer), promise: nil) }
        client.heldBytes = 0
        client.overflowing = false
        client.context.flush()
    }

    func writabilityChanged(_ channel: any Channel) {
        guard let client = clients[ObjectIdentifier(channel)], channel.isWritable, client.overflowing else { return }
        client.overflowing = false
    }

    private func deviceRead(_ buffer: ByteBuffer) {
        if let trace = configuration.trace { buffer.withUnsafeReadableBytes { trace.fromDevice($0) } }
        statistics.deviceBytesIn += buffer.readableBytes
        for client in clients.values {
            if client.suspended {
                if client.heldBytes + buffer.readableBytes <= configuration.clientQueueBytes {
                    client.held.append(buffer)
                    client.heldBytes += buffer.readableBytes
                    continue
                }
            } else if client.channel.isWritable {
                client.context.write(NIOAny(buffer), promise: nil)
                client.needsFlush = true
                continue
            }
            statistics.overflowDroppedBytes += buffer.readableBytes
            if !client.overflowing {
                client.overflowing = true
                statistics.overflowEpisodes += 1
                logger.warning(
                    "client queue full: \(configuration.overflowPolicy == .drop ? "dropping its data" : "disconnecting it")",
                    metadata: [
                        "peer": "\(client.channel.remoteAddress.map { "\($0)" } ?? "?")",
                        "overflowDroppedBytes": "\(statistics.overflowDroppedBytes)",
                    ])
                if configuration.overflowPolicy == .disconnect {
                    statistics.overflowDisconnects += 1
                    client.channel.close(promise: nil)
                }
            }
        }
    }
}
