import ArgumentParser
import Discovery
import Foundation

/// `devbridge devices`: the host's serial, USB and Bluetooth devices, through libudev.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List host serial, USB and Bluetooth devices with their identity (libudev).",
        discussion: """
            Shows what a match rule can use: vendor and product IDs, serial number, the by-id link,
            the driver and the USB port, and which processes (exports, record sessions) have each
            device open.

            Examples:
              devbridge devices                                   # everything
              devbridge devices --kind tty --json                 # serial ports, for scripts
              devbridge devices --match vendor=0403,product=6001  # what this rule would pick
              devbridge devices --watch --json                    # then follow hotplug, a JSON object a line
            """)

    @Flag(help: "Print a JSON array instead of the table.")
    var json = false

    @Option(help: "Only this kind: tty, usb or bluetooth (repeatable).")
    var kind: [DeviceKind] = []

    @Option(help: "Only devices a match rule picks, e.g. vendor=0403,product=6001,serial=A50285BI.")
    var match: String?

    @Flag(help: "After the list, follow hotplug (add, remove, change) until interrupted.")
    var watch = false

    func run() async throws {
        let rule: DeviceMatch?
        do {
            rule = try match.map { text throws(DiscoveryError) in try DeviceMatch(parsing: text) }
        } catch {
            throw ValidationError("--match: \(error)")
        }
        let kinds = kind.isEmpty ? Set(DeviceKind.allCases) : Set(kind)
        if watch { return try await follow(kinds: kinds, rule: rule) }
        var devices = try DeviceEnumerator.devices(kinds: kinds)
        if let rule { devices = devices.filter(rule.matches) }
        let users = DeviceUsers.scan(devnodes: devices.compactMap(\.devnode))
        let listing = devices.map { DeviceListing($0, usedBy: $0.devnode.flatMap { users[$0] } ?? []) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            printNow(String(decoding: try encoder.encode(listing), as: UTF8.self))
        } else if listing.isEmpty {
            printNow(rule == nil ? "no devices found" : "no device matches \(rule!)")
        } else {
            printNow(listing.map(\.text).joined(separator: "\n"))
        }
    }

    /// `--watch`: the present devices as `present` events, then live ones. With --json, one object a line:
    /// `{"event":"add","device":{…}}`.
    private func follow(kinds: Set<DeviceKind>, rule: DeviceMatch?) async throws {
        let monitor = try DeviceMonitor(kinds: kinds)
        defer { monitor.stop() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func show(_ event: String, _ device: HostDevice) throws {
            if let rule, !rule.matches(device) { return }
            let listing = DeviceListing(device, usedBy: [])
            if json {
                let line = try encoder.encode(WatchLine(event: event, device: listing))
                printNow(String(decoding: line, as: UTF8.self))
            } else {
                printNow("\(event.padding(toLength: 8, withPad: " ", startingAt: 0)) " + listing.text)
            }
        }
        for device in monitor.present { try show("present", device) }
        if json { printNow(#"{"event":"ready"}"#) }
        for await event in monitor.events { try show(event.action.rawValue, event.device) }
    }
}

/// One line of `devbridge devices --watch --json`.
struct WatchLine: Encodable {
    var event: String
    var device: DeviceListing
}

extension DeviceKind: ExpressibleByArgument {}

/// One line of `devbridge devices`, flat for JSON consumers.
struct DeviceListing: Encodable {
    var kind: DeviceKind
    var subsystem: String
    var sysname: String
    var syspath: String
    var devnode: String?
    var byID: String?
    var links: [String]
    var driver: String?
    var vendor: String?
    var product: String?
    var serial: String?
    var manufacturer: String?
    var model: String?
    var usbDevice: String?
    var usbPort: String?
    var usedBy: [DeviceUser]

    init(_ device: HostDevice, usedBy: [DeviceUser]) {
        kind = device.kind
        subsystem = device.subsystem
        sysname = device.sysname
        syspath = device.syspath
        devnode = device.devnode
        byID = device.byID
        links = device.links
        driver = device.driver
        vendor = device.identity.vendorID
        product = device.identity.productID
        serial = device.identity.serial
        manufacturer = device.identity.manufacturer
        model = device.identity.model
        usbDevice = device.usbDevice
        usbPort = device.usbPort
        self.usedBy = usedBy
    }

    enum CodingKeys: String, CodingKey {
        case kind, subsystem, sysname, syspath, devnode, links, driver, vendor, product, serial, manufacturer, model
        case byID = "by_id"
        case usbDevice = "usb_device"
        case usbPort = "usb_port"
        case usedBy = "used_by"
    }

    var text: String {
        var head = "\(kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(devnode ?? sysname)"
        if let vendor, let product { head += "  \(vendor):\(product)" }
        let name = [manufacturer, model].compactMap { $0 }.joined(separator: " ")
        if !name.isEmpty { head += "  \(name)" }
        var lines = [head]
        var details: [String] = []
        if let serial { details.append("serial \(serial)") }
        if let driver { details.append("driver \(driver)") }
        if let usbPort { details.append("usb port \(usbPort)") }
        if !details.isEmpty { lines.append("          " + details.joined(separator: ", ")) }
        if let byID { lines.append("          by-id: \(byID)") }
        for user in usedBy { lines.append("          used by pid \(user.pid): \(user.command)") }
        return lines.joined(separator: "\n")
    }
}
