import CUdev
import Foundation

/// Reads a `HostDevice` out of a libudev device. Not thread-safe: use on the thread that owns the context.
enum UdevDevice {
    static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        let text = String(cString: pointer)
        return text.isEmpty ? nil : text
    }

    static func property(_ device: OpaquePointer, _ name: String) -> String? {
        string(udev_device_get_property_value(device, name))
    }

    static func attribute(_ device: OpaquePointer, _ name: String) -> String? {
        string(udev_device_get_sysattr_value(device, name))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The kind of `device`, or nil when it is not one Discovery lists (a USB interface, a virtual tty).
    static func kind(of device: OpaquePointer, removed: Bool = false) -> DeviceKind? {
        guard let subsystem = string(udev_device_get_subsystem(device)) else { return nil }
        let devtype = string(udev_device_get_devtype(device))
        switch subsystem {
        case "tty":
            if removed { return property(device, "DEVNAME") != nil ? .tty : nil }
            // A real port has a hardware parent; tty0…tty63, ptys and console are virtual, and
            // serial8250's 32 ports with no UART behind them are placeholders.
            guard let syspath = string(udev_device_get_syspath(device)), !syspath.contains("/devices/virtual/"),
                let parent = udev_device_get_parent(device),
                string(udev_device_get_sysname(parent)) != "serial8250"
            else { return nil }
            return .tty
        case "usb": return devtype == "usb_device" ? .usb : nil
        case "bluetooth": return devtype == "host" || devtype == nil ? .bluetooth : nil
        default: return nil
        }
    }

    /// Builds the record for `device` (its parents are read from sysfs while it is present).
    static func hostDevice(_ device: OpaquePointer, kind: DeviceKind) -> HostDevice {
        let usbDevice: OpaquePointer? =
            kind == .usb ? device : udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device")
        var identity = DeviceIdentity()
        if let usbDevice {
            identity = DeviceIdentity(
                vendorID: attribute(usbDevice, "idVendor") ?? property(usbDevice, "ID_VENDOR_ID"),
                productID: attribute(usbDevice, "idProduct") ?? property(usbDevice, "ID_MODEL_ID"),
                serial: attribute(usbDevice, "serial") ?? property(usbDevice, "ID_SERIAL_SHORT"),
                manufacturer: attribute(usbDevice, "manufacturer"),
                model: attribute(usbDevice, "product"))
        }
        // Properties udev copied onto the device itself (they survive in remove events).
        if identity.vendorID == nil, let vendor = property(device, "ID_VENDOR_ID") {
            identity.vendorID = DeviceIdentity.normalizedHex(vendor)
        }
        if identity.productID == nil, let product = property(device, "ID_MODEL_ID") {
            identity.productID = DeviceIdentity.normalizedHex(product)
        }
        if identity.serial == nil { identity.serial = property(device, "ID_SERIAL_SHORT") }
        if identity.manufacturer == nil {
            identity.manufacturer = property(device, "ID_VENDOR_FROM_DATABASE") ?? property(device, "ID_VENDOR")
        }
        if identity.model == nil {
            identity.model = property(device, "ID_MODEL_FROM_DATABASE") ?? property(device, "ID_MODEL")
        }

        var links: [String] = []
        var entry = udev_device_get_devlinks_list_entry(device)
        while let current = entry {
            if let name = string(udev_list_entry_get_name(current)) { links.append(name) }
            entry = udev_list_entry_get_next(current)
        }
        if links.isEmpty, let devlinks = property(device, "DEVLINKS") {
            links = devlinks.split(separator: " ").map(String.init)
        }

        return HostDevice(
            kind: kind,
            subsystem: string(udev_device_get_subsystem(device)),
            sysname: string(udev_device_get_sysname(device)) ?? "",
            syspath: string(udev_device_get_syspath(device)) ?? "",
            devnode: string(udev_device_get_devnode(device)) ?? property(device, "DEVNAME"),
            links: links,
            driver: driver(of: device, stoppingAt: usbDevice) ?? property(device, "ID_USB_DRIVER"),
            identity: identity,
            usbDevice: usbDevice.flatMap { string(udev_device_get_syspath($0)) },
            usbPort: usbDevice.flatMap { string(udev_device_get_sysname($0)) })
    }

    /// The driver of the device or of its nearest parent that has one, not looking above `top`.
    static func driver(of device: OpaquePointer, stoppingAt top: OpaquePointer?) -> String? {
        var current: OpaquePointer? = device
        while let node = current {
            if let driver = string(udev_device_get_driver(node)) { return driver }
            if let top, node == top { return nil }
            current = udev_device_get_parent(node)
        }
        return nil
    }
}
