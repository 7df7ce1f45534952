import Foundation

/// The identity of a device as its USB descriptors tell it: what it is, not where it is plugged.
public struct DeviceIdentity: Sendable, Hashable, Codable {
    /// USB vendor ID, four lowercase hex digits (`0403`), or nil when the device is not on USB.
    public var vendorID: String?
    /// USB product ID, four lowercase hex digits (`6001`).
    public var productID: String?
    /// The USB serial number string (`A50285BI`), when the device has one.
    public var serial: String?
    /// The manufacturer string (`FTDI`).
    public var manufacturer: String?
    /// The product string (`FT232R USB UART`).
    public var model: String?

    /// Creates an identity; hex IDs are normalized to four lowercase digits.
    public init(
        vendorID: String? = nil, productID: String? = nil, serial: String? = nil, manufacturer: String? = nil,
        model: String? = nil
    ) {
        self.vendorID = vendorID.map(DeviceIdentity.normalizedHex)
        self.productID = productID.map(DeviceIdentity.normalizedHex)
        self.serial = serial
        self.manufacturer = manufacturer
        self.model = model
    }

    /// `0403`, `403`, `0x0403` and `0X0403` all become `0403`.
    public static func normalizedHex(_ text: String) -> String {
        var digits = text.trimmingCharacters(in: .whitespaces).lowercased()
        if digits.hasPrefix("0x") { digits.removeFirst(2) }
        while digits.count < 4 { digits = "0" + digits }
        return digits
    }
}

/// The kind of a host device, from its udev subsystem.
public enum DeviceKind: String, Sendable, Codable, CaseIterable {
    /// A serial port: `/dev/ttyUSB*`, `/dev/ttyACM*`, `/dev/ttyS*`.
    case tty
    /// A whole USB device (`usb_device`), as `/dev/bus/usb/BBB/DDD`.
    case usb
    /// A Bluetooth controller (`hci0`).
    case bluetooth

    /// The udev subsystem the kind is enumerated from.
    public var subsystem: String {
        switch self {
        case .tty: "tty"
        case .usb: "usb"
        case .bluetooth: "bluetooth"
        }
    }
}

/// One host device seen through libudev, with its identity and where it sits.
public struct HostDevice: Sendable, Hashable, Codable {
    /// tty, usb or bluetooth.
    public var kind: DeviceKind
    /// The udev subsystem (`tty`, `usb`, `bluetooth`).
    public var subsystem: String
    /// The kernel name (`ttyUSB0`, `1-2`, `hci0`).
    public var sysname: String
    /// The sysfs path (`/sys/devices/pci0000:00/…/ttyUSB0/tty/ttyUSB0`): unique while the device is present.
    public var syspath: String
    /// The device node (`/dev/ttyUSB0`), when it has one.
    public var devnode: String?
    /// Stable symlinks udev made for it (`DEVLINKS`), sorted.
    public var links: [String]
    /// The `/dev/serial/by-id/…` (or other `by-id`) link, when there is one.
    public var byID: String?
    /// The kernel driver bound to the device or its nearest bound parent (`ftdi_sio`, `cdc_acm`, `btusb`).
    public var driver: String?
    /// What the device is.
    public var identity: DeviceIdentity
    /// The sysfs path of the parent USB device (`usb_device`), when the device is on USB.
    public var usbDevice: String?
    /// The USB port path (`1-2`, `3-1.4`): where it is plugged, not what it is.
    public var usbPort: String?

    /// Creates a device record (Discovery fills these from libudev; tests build them directly).
    public init(
        kind: DeviceKind, subsystem: String? = nil, sysname: String, syspath: String, devnode: String? = nil,
        links: [String] = [], driver: String? = nil, identity: DeviceIdentity = DeviceIdentity(),
        usbDevice: String? = nil, usbPort: String? = nil
    ) {
        self.kind = kind
        self.subsystem = subsystem ?? kind.subsystem
        self.sysname = sysname
        self.syspath = syspath
        self.devnode = devnode
        self.links = links.sorted()
        self.byID = self.links.first { $0.contains("/by-id/") }
        self.driver = driver
        self.identity = identity
        self.usbDevice = usbDevice
        self.usbPort = usbPort
    }
}
