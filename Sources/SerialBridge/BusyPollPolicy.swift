/// Decides when an export's event loop should poll instead of sleeping: the
/// state machine behind ``BusyPoller``, kept free of I/O and clocks.
///
/// Sleeping in `epoll_wait` costs a wake-up (a context switch, and in a VM an
/// inter-processor interrupt) every time data arrives. Request/response
/// traffic pays it twice per round trip. Polling for a short `window` after
/// each burst of I/O catches the answer without that wake-up.
///
/// The loop polls only while traffic *turns around* within the window: the
/// policy keeps a moving average of the gaps between I/O bursts and polls
/// when that average is within the window. Sparse traffic (a reading a
/// second) and slow devices therefore cost nothing; a conversation costs at
/// most one window of CPU per burst.
struct BusyPollPolicy: Sendable, Equatable {
    /// How long to poll after a burst, in nanoseconds; 0 never polls.
    let window: Int64
    /// Moving average of the gaps between bursts (weight 1/4 for the newest).
    private(set) var averageGap: Int64
    private var lastBurst: Int64?

    /// A policy that polls for `window` nanoseconds after a burst once traffic has turned around within it.
    init(window: Int64) {
        self.window = max(0, window)
        // Start as if the last gaps were two windows long: polling is earned by traffic, not assumed.
        self.averageGap = 2 * self.window
    }

    /// Records a burst of I/O at `now` (monotonic nanoseconds). Returns the
    /// deadline until which the loop should poll, or nil to let it sleep.
    mutating func burst(at now: Int64) -> Int64? {
        guard window > 0 else { return nil }
        if let lastBurst {
            // A gap beyond 4 windows counts as 4 windows, so one pause never outweighs a conversation for long.
            let gap = min(max(now - lastBurst, 0), 4 * window)
            averageGap = (3 * averageGap + gap) / 4
        }
        lastBurst = now
        return averageGap <= window ? now + window : nil
    }
}
