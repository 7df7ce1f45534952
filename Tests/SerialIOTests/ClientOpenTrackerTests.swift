import Testing

@testable import SerialIO

@Suite("ClientOpenTracker")
struct ClientOpenTrackerTests {
    @Test("the port opens with the first client and closes with the last")
    func firstOpensLastCloses() {
        var tracker = ClientOpenTracker()
        #expect(tracker.clientOpened() == .opened)
        #expect(tracker.clientOpened() == nil)
        #expect(tracker.clientClosed() == nil)
        #expect(tracker.clientClosed() == .closed)
        #expect(tracker.openCount == 0)
        #expect(tracker.totalOpens == 2)
    }

    @Test("a close without an open (merged inotify events) never goes negative")
    func extraCloseIgnored() {
        var tracker = ClientOpenTracker()
        #expect(tracker.clientClosed() == nil)
        #expect(tracker.openCount == 0)
        #expect(tracker.clientOpened() == .opened)
    }
}
