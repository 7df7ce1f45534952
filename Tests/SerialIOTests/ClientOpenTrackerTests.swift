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

    @Test("bytes from a client whose open notification is late open the port once")
    func bytesBeforeTheOpenNotification() {
        var tracker = ClientOpenTracker()
        #expect(tracker.clientWrote { false } == nil)  // left over from a client that has gone
        #expect(tracker.openCount == 0)
        #expect(tracker.clientWrote { true } == .opened)
        #expect(tracker.clientWrote { true } == nil)
        #expect(tracker.clientOpened() == nil)  // its notification, absorbed
        #expect(tracker.openCount == 1)
        #expect(tracker.clientOpened() == nil)  // a second client counts again
        #expect(tracker.openCount == 2)
        #expect(tracker.clientClosed() == nil)
        #expect(tracker.clientClosed() == .closed)
        #expect(tracker.totalOpens == 2)
    }

    @Test("a close without an open (merged inotify events) never goes negative")
    func extraCloseIgnored() {
        var tracker = ClientOpenTracker()
        #expect(tracker.clientClosed() == nil)
        #expect(tracker.openCount == 0)
        #expect(tracker.clientOpened() == .opened)
    }

    @Test("two opens merged into one: the close that looks like the last is checked, and the port stays open")
    func lostOpenIsCaughtByTheHolderCheck() {
        var tracker = ClientOpenTracker()
        #expect(tracker.clientOpened() == .opened)  // the app and a `stty -F`, merged
        #expect(tracker.clientClosed { true } == nil)  // stty's close: the app still holds the port
        #expect(tracker.openCount == 1)
        #expect(tracker.clientClosed { false } == .closed)  // the app's close
        #expect(tracker.openCount == 0)
    }

    @Test("the holder check is asked only for what would be the last close")
    func holderCheckOnlyAtTheLastClose() {
        var tracker = ClientOpenTracker()
        _ = tracker.clientOpened()
        _ = tracker.clientOpened()
        var asked = 0
        #expect(
            tracker.clientClosed {
                asked += 1; return false
            } == nil)
        #expect(asked == 0)
        #expect(
            tracker.clientClosed {
                asked += 1; return false
            } == .closed)
        #expect(asked == 1)
    }
}
