import Testing

@testable import Discovery

@Suite struct DeviceFollowerTests {
    let rule = try! DeviceMatch(vendor: "0403", product: "6001", serial: "A50285BI")

    @Test func attachesDetachesAndFollowsANewTTYNumber() {
        var follower = DeviceFollower(rule: rule)
        let first = Fixtures.ftdi()
        #expect(follower.handle(DeviceEvent(.add, first)) == [.attach(first)])
        #expect(follower.current == first)
        #expect(follower.handle(DeviceEvent(.remove, first)) == [.detach(first)])
        #expect(follower.current == nil)
        let back = Fixtures.ftdi(tty: "ttyUSB1", port: "1-4")
        #expect(follower.handle(DeviceEvent(.add, back)) == [.attach(back)])
        #expect(follower.current?.devnode == "/dev/ttyUSB1")
    }

    @Test func aDifferentDeviceOnTheSamePortIsNeverAttached() {
        var follower = DeviceFollower(rule: rule)
        let mine = Fixtures.ftdi()
        _ = follower.handle(DeviceEvent(.add, mine))
        _ = follower.handle(DeviceEvent(.remove, mine))
        #expect(follower.handle(DeviceEvent(.add, Fixtures.arduino(tty: "ttyUSB0", port: "1-2"))) == [])
        #expect(follower.handle(DeviceEvent(.add, Fixtures.ftdi(serial: "B0000001"))) == [])
        #expect(follower.current == nil)
    }

    @Test func neverSwitchesAwayFromThePresentDevice() throws {
        var follower = DeviceFollower(rule: try DeviceMatch(vendor: "0403", product: "6001"))
        let one = Fixtures.ftdi()
        let two = Fixtures.ftdi(serial: "B0000001", tty: "ttyUSB1", port: "1-3")
        #expect(follower.handle(DeviceEvent(.add, one)) == [.attach(one)])
        #expect(follower.handle(DeviceEvent(.add, two)) == [.ignored(two)])
        #expect(follower.current == one)
        // The attached one leaves: the only other candidate is taken.
        #expect(follower.handle(DeviceEvent(.remove, one)) == [.detach(one), .attach(two)])
    }

    @Test func ambiguousWhileSeveralMatchAndNoneAttached() throws {
        let one = Fixtures.ftdi()
        let two = Fixtures.ftdi(serial: "B0000001", tty: "ttyUSB1", port: "1-3")
        var follower = DeviceFollower(rule: try DeviceMatch(vendor: "0403", product: "6001"))
        #expect(follower.start(present: [two, one, Fixtures.arduino()]) == [.ambiguous([one, two])])
        #expect(follower.current == nil)
        // One leaves: the rule now designates a single device.
        #expect(follower.handle(DeviceEvent(.remove, two)) == [.attach(one)])
        var pinned = DeviceFollower(rule: rule)
        #expect(pinned.start(present: [two, one]) == [.attach(one)])
    }

    @Test func aChangeThatStopsMatchingDetaches() {
        var follower = DeviceFollower(rule: rule)
        let device = Fixtures.ftdi()
        _ = follower.handle(DeviceEvent(.add, device))
        var changed = device
        changed.identity.serial = "OTHER"
        #expect(follower.handle(DeviceEvent(.change, changed)) == [.detach(device)])
        #expect(follower.handle(DeviceEvent(.remove, changed)) == [])
    }
}
