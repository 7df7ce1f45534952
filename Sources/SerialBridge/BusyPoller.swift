import CLinuxSupport
import Glibc
import NIOCore
import NIOPosix

/// Keeps an event loop polling, instead of sleeping, for a short window after
/// I/O, as ``BusyPollPolicy`` decides. Event-loop bound, like ``ExportHub``.
///
/// NIO has no busy-poll mode, and a task that re-enqueues itself would starve
/// I/O (an event-loop tick runs ready tasks until none are left). Instead the
/// poller owns an eventfd registered with the loop: while polling, each read
/// of it signals it again, so `epoll_wait` always finds it ready and returns
/// at once, together with whatever else became ready, and the loop never sleeps.
/// Each turn costs four system calls (`epoll_wait`, `read`, `sched_yield`, `write`).
final class BusyPoller {
    let eventLoop: any EventLoop
    private var policy: BusyPollPolicy
    private var pollUntil: Int64 = 0
    private var polling = false
    private var eventFD: CInt = -1
    private var channel: (any Channel)?
    /// Polling windows opened (a window extended by more I/O counts once).
    private(set) var windows = 0
    /// Loop turns spent polling.
    private(set) var turns = 0
    /// True while a window is open (the loop is kept from sleeping).
    var isPolling: Bool { polling }

    /// A poller for `eventLoop` polling up to `window` after each burst; a zero window never polls.
    init(eventLoop: any EventLoop, window: TimeAmount) {
        self.eventLoop = eventLoop
        self.policy = BusyPollPolicy(window: window.nanoseconds)
    }

    /// Registers the eventfd with the loop. Without it (window 0, or no eventfd) the poller does nothing.
    func start() {
        eventLoop.preconditionInEventLoop()
        guard policy.window > 0, eventFD < 0 else { return }
        let fd = devbridge_eventfd_open()
        guard fd >= 0 else { return }
        eventFD = fd
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        NIOPipeBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TurnHandler(bound.value))
                }
            }
            .takingOwnershipOfDescriptor(input: fd)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel) where self.eventFD == fd: self.channel = channel
                case .success(let channel): channel.close(promise: nil)  // stopped meanwhile
                case .failure: if self.eventFD == fd { self.eventFD = -1 }  // NIO closed the descriptor
                }
            }
    }

    /// Stops polling and closes the eventfd.
    func stop() {
        channel?.close(promise: nil)
        channel = nil
        eventFD = -1
        polling = false
    }

    /// Call after a burst of I/O (a flush): polling starts or is extended when the policy says so.
    func burst() {
        guard eventFD >= 0, let deadline = policy.burst(at: Self.now()) else { return }
        pollUntil = deadline
        guard !polling else { return }
        polling = true
        windows += 1
        _ = devbridge_eventfd_signal(eventFD)
    }

    /// One turn of the loop while polling: go round again, or let the loop sleep once the window has passed.
    fileprivate func turn() {
        turns += 1
        if polling, eventFD >= 0, Self.now() < pollUntil {
            // Hand the CPU to any thread waiting for it (the device's or client's, on a busy machine),
            // so polling never delays the answer it waits for.
            sched_yield()
            _ = devbridge_eventfd_signal(eventFD)
        } else {
            polling = false
        }
    }

    private static func now() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }

    /// Reads the eventfd (NIO drains it) and hands each turn to the poller.
    private final class TurnHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let poller: BusyPoller
        init(_ poller: BusyPoller) { self.poller = poller }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { poller.turn() }
    }
}
