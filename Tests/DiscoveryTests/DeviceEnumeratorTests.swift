import Foundation
import Testing

@testable import Discovery

/// Against the real host's libudev (whatever it has: often no serial ports at all).
/// The umockdev tests in tests/python/test_discovery.py cover a known fake adapter.
@Suite struct DeviceEnumeratorTests {
    @Test func everyListedDeviceIsConsistent() throws {
        let devices = try DeviceEnumerator.devices()
        for device in devices {
            #expect(device.syspath.hasPrefix("/sys/"))
            #expect(device.subsystem == device.kind.subsystem)
            #expect(!device.syspath.contains("/devices/virtual/") || device.kind != .tty)
            if device.kind == .usb {
                #expect(device.usbDevice == device.syspath)
                #expect(device.identity.vendorID?.count == 4)
            }
            if let byID = device.byID { #expect(device.links.contains(byID)) }
        }
        let onlyUSB = try DeviceEnumerator.devices(kinds: [.usb])
        #expect(onlyUSB == devices.filter { $0.kind == .usb })
    }

    @Test func theMonitorStartsAndStops() async throws {
        let monitor = try DeviceMonitor(kinds: [.tty])
        #expect(monitor.present == (try DeviceEnumerator.devices(kinds: [.tty])))
        monitor.stop()
        var iterator = monitor.events.makeAsyncIterator()
        #expect(await iterator.next() == nil)
        monitor.stop()
    }
}

@Suite struct DeviceUsersTests {
    @Test func findsAProcessHoldingADeviceOpen() async throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Holds /dev/zero open on fd 7 until stdin closes.
        child.arguments = ["-c", "exec 7</dev/zero; read line"]
        let input = Pipe()
        child.standardInput = input
        try child.run()
        defer {
            try? input.fileHandleForWriting.close()
            child.waitUntilExit()
        }
        var users: [DeviceUser] = []
        for _ in 0..<200 {
            users = DeviceUsers.scan(devnodes: ["/dev/zero"])["/dev/zero"] ?? []
            if users.contains(where: { $0.pid == child.processIdentifier }) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let user = try #require(users.first { $0.pid == child.processIdentifier })
        #expect(user.command.hasPrefix("/bin/sh -c exec 7</dev/zero"))
        #expect(DeviceUsers.scan(devnodes: ["/dev/does-not-exist"]).isEmpty)
    }
}
