import Testing

@testable import Discovery

@Suite struct DeviceMatchTests {
    @Test func parsesTheCommandLineForm() throws {
        let rule = try DeviceMatch(parsing: "vendor=403, product=0x6001,serial=A50285BI")
        #expect(rule.vendor == "0403")
        #expect(rule.product == "6001")
        #expect(rule.serial == "A50285BI")
        #expect(rule.description == "vendor=0403,product=6001,serial=A50285BI")
        #expect(try DeviceMatch(parsing: rule.description) == rule)
    }

    @Test func configKeysAcceptUdevPropertyNames() throws {
        let rule = try DeviceMatch(fields: [
            "ID_VENDOR_ID": "0403", "ID_MODEL_ID": "6001", "ID_SERIAL_SHORT": "A50285BI",
        ])
        #expect(rule == (try DeviceMatch(vendor: "0403", product: "6001", serial: "A50285BI")))
    }

    @Test func configKeysAcceptByIDSpellings() throws {
        let rule = try DeviceMatch(fields: ["by-id": "usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"])
        #expect(rule.byID == "usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0")
        #expect(rule.hasIdentity)
    }

    @Test(arguments: [
        ("vendor=0403,colour=blue", "colour"), ("vendor=zz12", "vendor"), ("serial=", "serial"), ("serial", "serial"),
        ("", nil),
    ])
    func rejectsBadRules(text: String, key: String?) {
        let error = #expect(throws: DiscoveryError.self) { try DeviceMatch(parsing: text) }
        #expect(error?.code == .invalidMatch)
        #expect(error?.key == key)
    }

    @Test func identityFollowsTheDeviceToAnyPortAndTTYNumber() throws {
        let rule = try DeviceMatch(vendor: "0403", product: "6001", serial: "A50285BI")
        #expect(rule.matches(Fixtures.ftdi()))
        #expect(rule.matches(Fixtures.ftdi(tty: "ttyUSB3", port: "3-1.4")))
    }

    @Test func identityNeverMatchesAnotherDeviceOnTheSamePort() throws {
        let rule = try DeviceMatch(vendor: "0403", product: "6001", serial: "A50285BI")
        #expect(!rule.matches(Fixtures.ftdi(serial: "B0000001")))
        #expect(!rule.matches(Fixtures.arduino(tty: "ttyUSB0", port: "1-2")))
    }

    @Test func portIsLookedAtOnlyWhenAsked() throws {
        let place = try DeviceMatch(port: "1-2")
        #expect(place.matches(Fixtures.ftdi()))
        #expect(place.matches(Fixtures.arduino()))
        #expect(!place.matches(Fixtures.ftdi(port: "1-3")))
        #expect(!place.hasIdentity)
        let both = try DeviceMatch(vendor: "0403", port: "1-2")
        #expect(both.matches(Fixtures.ftdi()))
        #expect(!both.matches(Fixtures.arduino()))
    }

    @Test func byIDMatchesFullPathOrName() throws {
        #expect(try DeviceMatch(byID: "usb-Arduino_Uno_7573530-if00").matches(Fixtures.arduino()))
        #expect(try DeviceMatch(byID: "/dev/serial/by-id/usb-Arduino_Uno_7573530-if00").matches(Fixtures.arduino()))
        #expect(!(try DeviceMatch(byID: "usb-Arduino_Uno_7573530-if00").matches(Fixtures.ftdi())))
        // A by-path link is a place, not an identity: it does not satisfy a by_id rule.
        #expect(!(try DeviceMatch(byID: "pci-0000:00:14.0-usb-0:2:1.0-port0").matches(Fixtures.ftdi())))
    }

    @Test func subsystemRestrictsTheKind() throws {
        var usb = Fixtures.ftdi()
        usb.kind = .usb
        usb.subsystem = "usb"
        let rule = try DeviceMatch(vendor: "0403", subsystem: "tty")
        #expect(rule.matches(Fixtures.ftdi()))
        #expect(!rule.matches(usb))
    }

    @Test func selectRefusesToGuess() throws {
        let rule = try DeviceMatch(vendor: "0403", product: "6001")
        let one = Fixtures.ftdi()
        let two = Fixtures.ftdi(serial: "B0000001", tty: "ttyUSB1", port: "1-3")
        #expect(rule.select(from: [one, Fixtures.arduino()]) == .one(one))
        #expect(rule.select(from: [one, two]) == .ambiguous([one, two]))
        #expect(rule.select(from: [Fixtures.arduino()]) == .none)
    }
}
