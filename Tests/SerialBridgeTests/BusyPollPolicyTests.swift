import Testing

@testable import SerialBridge

/// The pure policy, with synthetic times in nanoseconds.
struct BusyPollPolicyTests {
    let µs: Int64 = 1000

    @Test func aZeroWindowNeverPolls() {
        var policy = BusyPollPolicy(window: 0)
        for n in 0..<100 { #expect(policy.burst(at: Int64(n) * 10 * µs) == nil) }
    }

    @Test func pollingIsEarnedByQuickTurnaroundsAndLastsOneWindow() {
        var policy = BusyPollPolicy(window: 100 * µs)
        #expect(policy.burst(at: 0) == nil)  // nothing known yet
        var t: Int64 = 0
        var deadline: Int64?
        var bursts = 1
        while deadline == nil && bursts < 20 {
            t += 30 * µs
            deadline = policy.burst(at: t)
            bursts += 1
        }
        #expect(deadline == t + 100 * µs)
        #expect(bursts == 5)  // the average gap falls 200 → 157 → 125 → 101 → 83 µs
    }

    @Test func aPauseStopsPollingAndAConversationResumesIt() {
        var policy = BusyPollPolicy(window: 100 * µs)
        var t: Int64 = 0
        for _ in 0..<10 {
            t += 20 * µs
            _ = policy.burst(at: t)
        }
        #expect(policy.burst(at: t + 20 * µs) != nil)
        t += 20 * µs
        t += 3_600_000_000_000  // an hour of silence counts as four windows
        #expect(policy.burst(at: t) == nil)
        t += 20 * µs
        #expect(policy.burst(at: t) != nil)  // one quick exchange is enough to poll again
    }

    @Test func sparseTrafficNeverPolls() {
        var policy = BusyPollPolicy(window: 100 * µs)
        // A reading every 5 ms, or a USB adapter's 1 ms latency timer: always slower than the window.
        for n in 0..<1000 { #expect(policy.burst(at: Int64(n) * 1000 * µs) == nil) }
    }
}
