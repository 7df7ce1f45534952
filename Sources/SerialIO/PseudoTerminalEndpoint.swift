import CLinuxSupport
import Foundation
import Logging
import NIOCore
import NIOPosix

/// A virtual serial port: a pseudo-terminal whose slave (`/dev/pts/N`, and
/// optionally a symbolic link such as `/dev/ttyUSB0`) an app opens as if it
/// were real hardware, while the device simulation talks to the master.
///
/// Behaviour an app can rely on, as with a USB serial adapter:
/// - It may close and reopen the port any number of times: the endpoint
///   keeps its own slave descriptor open, so the master never sees `EIO`.
/// - Each time the port goes from closed to open, ``events`` yields
///   ``PTYEvent/opened`` (detected with inotify on the slave node, as a PTY
///   has no DTR line); the device should reset then. Bytes the device writes
///   while nobody has the port open are dropped (counted). The endpoint's own
///   accesses are never reported.
/// - The slave starts raw at the device's line settings (e.g. 9600 8N1). If
///   the app sets other ones, ``events`` yields
///   ``PTYEvent/lineSettingsChanged(_:)`` (termios is polled about every
///   100 ms, on each open and, with `emulateLineMismatch`, on each write),
///   and with `emulateLineMismatch` both directions are garbled by
///   ``BaudMismatchCorruptor`` as a real UART would garble them. (A PTY
///   keeps only the baud and stop bits an app sets; the kernel forces 8N, so
///   a data-bits or parity mismatch cannot be seen or emulated here.)
/// - ``write(_:)`` never blocks: when the app does not read and its input
///   queue is full, bytes are dropped and counted, like a UART overrun.
///
/// I/O: reads from the master run on a NIO `PipeChannel` (via
/// `NIOPipeBootstrap`, input side only). Writes bypass NIO on purpose and go
/// straight to the same non-blocking master descriptor: NIO would queue
/// unwritable bytes without bound and deliver them late (after the app
/// reopened), where a serial line loses them. One descriptor per PTY (no
/// duplicate) keeps a process's PTY count plain in `/proc/PID/fd`. Writes stop
/// before the channel closes the descriptor (``close()``, and a read error),
/// so a write never reaches a descriptor number the kernel has reused.
///
/// Monitoring is shared: all endpoints of a process use one inotify instance
/// (one watch each) and one thread that waits on it and polls every
/// endpoint's termios on a common timer, so a process can run thousands of
/// endpoints (limits: `fs.inotify.max_user_watches`, `kernel.pty.max`, and
/// three descriptors per endpoint against `ulimit -n`; an open beyond them
/// fails with an error that names the limit).
public final class PseudoTerminalEndpoint: Sendable {
    /// Tuning knobs of an endpoint.
    public struct Options: Sendable {
        /// Garble both directions with ``BaudMismatchCorruptor`` when the app's
        /// line settings differ from the device's. Default true.
        public var emulateLineMismatch: Bool
        /// How often termios is polled for changes by the app.
        public var lineSettingsPollInterval: Duration
        /// Capacity of the ``PseudoTerminalEndpoint/events`` buffer; the oldest
        /// events are dropped past it.
        public var eventBufferSize: Int

        /// Creates options.
        public init(
            emulateLineMismatch: Bool = true, lineSettingsPollInterval: Duration = .milliseconds(100),
            eventBufferSize: Int = 1024
        ) {
            self.emulateLineMismatch = emulateLineMismatch
            self.lineSettingsPollInterval = lineSettingsPollInterval
            self.eventBufferSize = eventBufferSize
        }
    }

    /// The slave's path, e.g. `/dev/pts/7`.
    public var slavePath: String { core.slavePath }
    /// The symbolic link apps open, if one was asked for.
    public let linkPath: String?
    /// The device's line settings (what the slave starts at, and what
    /// `emulateLineMismatch` compares the app's with).
    public var deviceLineSettings: LineSettings { core.deviceSettings }
    /// Bytes the app wrote, in order, as the device receives them. Finishes
    /// when the endpoint closes. Single consumer; unbounded buffer.
    public let inbound: AsyncStream<[UInt8]>
    /// Opens, closes and line-settings changes by the app. Finishes when the
    /// endpoint closes. Single consumer.
    public let events: AsyncStream<PTYEvent>

    private let core: EndpointCore
    private let channel: any Channel
    private let closed = OnceFlag()

    private init(
        core: EndpointCore, channel: any Channel, linkPath: String?, inbound: AsyncStream<[UInt8]>,
        events: AsyncStream<PTYEvent>
    ) {
        self.core = core
        self.channel = channel
        self.linkPath = linkPath
        self.inbound = inbound
        self.events = events
    }

    /// Opens a PTY set to `lineSettings` (raw), links `link` to its slave if
    /// given, and starts watching it.
    ///
    /// - Parameters:
    ///   - link: Path of the symbolic link to create (atomically). An existing
    ///     symbolic link there is replaced; any other file is refused with
    ///     ``SerialIOError/Code/linkPathOccupied``. See
    ///     ``PTYLink/defaultPath(name:)`` for a per-user default.
    ///   - lineSettings: The device's line settings, e.g. 9600 8N1.
    ///   - options: See ``Options``.
    ///   - group: The event loop group for the master's reads.
    ///   - logger: Where opens, closes and setting changes are logged (debug).
    public static func open(
        link: String? = nil,
        lineSettings: LineSettings = .default9600,
        options: Options = Options(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "devbridge.serialio.pty")
    ) async throws(SerialIOError) -> PseudoTerminalEndpoint {
        try lineSettings.validate()
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 256)
        let rc = devbridge_pty_open(&master, &slave, &name, name.count)
        guard rc == 0 else { throw SystemLimits.ptyError(errno: -rc) }
        let slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ownedMaster: Int32? = master
        func cleanUp() {
            if let ownedMaster { Glibc.close(ownedMaster) }
            Glibc.close(slave)
        }

        do throws(SerialIOError) {
            try lineSettings.apply(fileDescriptor: slave, makeRaw: true, path: slavePath)
            guard fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) == 0 else {
                let code = errno
                var message = "cannot set up the master of \(slavePath)"
                if let hint = SystemLimits.descriptorHint(code) { message += ": " + hint }
                throw SerialIOError(code: .ptyOpenFailed, message: message, path: slavePath, errno: code)
            }
        } catch {
            cleanUp()
            throw error
        }

        let (events, eventContinuation) = AsyncStream.makeStream(
            of: PTYEvent.self, bufferingPolicy: .bufferingNewest(max(1, options.eventBufferSize)))
        let (inbound, inboundContinuation) = AsyncStream.makeStream(of: [UInt8].self)
        let core = EndpointCore(
            slavePath: slavePath, deviceSettings: lineSettings, emulateLineMismatch: options.emulateLineMismatch,
            masterWriteFD: master, slaveFD: slave, logger: logger, events: eventContinuation,
            inbound: inboundContinuation)
        // Watch only after our own open of the slave, so it never counts.
        do {
            try core.startWatching(pollInterval: options.lineSettingsPollInterval)
        } catch {
            cleanUp()
            throw error
        }

        let channel: any Channel
        do {
            channel = try await NIOPipeBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(MasterReadHandler(core: core))
                    }
                }
                .takingOwnershipOfDescriptor(input: master)
                .get()
            ownedMaster = nil
        } catch {
            ownedMaster = nil
            Glibc.close(master)
            core.shutDown()
            throw SerialIOError(
                code: .channelFailed, message: "cannot read the master of \(slavePath): \(error)",
                path: slavePath)
        }

        let endpoint = PseudoTerminalEndpoint(
            core: core, channel: channel, linkPath: link, inbound: inbound, events: events)
        if let link {
            do {
                try PTYLink.install(link: link, target: slavePath)
            } catch {
                await endpoint.close()
                throw error
            }
        }
        logger.debug(
            "PTY open",
            metadata: [
                "pty": "\(slavePath)", "link": "\(link ?? "-")",
                "settings": "\(lineSettings)",
            ])
        return endpoint
    }

    /// Sends device bytes to the app. Never blocks: bytes that do not fit in
    /// the app's input queue are dropped and counted in the result and in
    /// ``statistics``. With `emulateLineMismatch` the bytes are first garbled
    /// to what the app's current line settings would receive; counts then
    /// refer to the garbled bytes.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> WriteResult {
        core.write(bytes)
    }

    /// Switches the device's own line settings (e.g. a replayed device that
    /// changed baud); the app's settings on the slave are left as they are.
    public func setDeviceLineSettings(_ settings: LineSettings) throws(SerialIOError) {
        try settings.validate()
        core.deviceSettings = settings
    }

    /// The slave's line settings as the app last set them (read now with TCGETS2).
    public func currentLineSettings() throws(SerialIOError) -> LineSettings {
        try core.currentLineSettings()
    }

    /// True while at least one client has the port open.
    public var isOpenByClient: Bool { core.statistics.openClients > 0 }

    /// Bytes written but not yet read by the app (the slave's input queue).
    /// `devbridge sim --speed max` waits for this to drain before producing more.
    public var pendingClientBytes: Int { core.pendingClientBytes }

    /// Counters since the endpoint opened.
    public var statistics: PTYStatistics { core.statistics }

    /// Removes the link (if it still points at this PTY), stops watching,
    /// closes the master and our slave, and finishes ``events`` and
    /// ``inbound``. An app that still has the port open sees a hangup.
    /// Idempotent.
    public func close() async {
        guard closed.setIfClear() else { return }
        if let linkPath { PTYLink.removeIfPointing(link: linkPath, to: core.slavePath) }
        core.stopWatching()
        try? await channel.close()
        core.shutDown()
        core.inbound.finish()
    }

    deinit {
        guard closed.setIfClear() else { return }
        if let linkPath { PTYLink.removeIfPointing(link: linkPath, to: core.slavePath) }
        core.stopWatching()
        let core = core
        channel.close().whenComplete { _ in core.shutDown() }
        core.inbound.finish()
    }
}

/// Forwards what the app wrote (read from the master) to the endpoint core.
private final class MasterReadHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let core: EndpointCore

    init(core: EndpointCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        core.received(Array(buffer.readableBytesView))
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.stopWatching()
        core.inbound.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.logger.warning("PTY master read failed", metadata: ["pty": "\(core.slavePath)", "error": "\(error)"])
        core.stopWatching()  // no more writes to the descriptor the channel is about to close
        context.close(promise: nil)
    }
}
