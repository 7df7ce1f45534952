@testable import Discovery

/// Device records as libudev would report them for the FTDI adapter and friends.
enum Fixtures {
    static func ftdi(serial: String = "A50285BI", tty: String = "ttyUSB0", port: String = "1-2") -> HostDevice {
        HostDevice(
            kind: .tty, sysname: tty,
            syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/\(port)/\(port):1.0/\(tty)/tty/\(tty)",
            devnode: "/dev/\(tty)",
            links: [
                "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_\(serial)-if00-port0",
                "/dev/serial/by-path/pci-0000:00:14.0-usb-0:\(port.dropFirst(2)):1.0-port0",
            ],
            driver: "ftdi_sio",
            identity: DeviceIdentity(
                vendorID: "0403", productID: "6001", serial: serial, manufacturer: "FTDI", model: "FT232R USB UART"),
            usbDevice: "/sys/devices/pci0000:00/0000:00:14.0/usb1/\(port)", usbPort: port)
    }

    static func arduino(tty: String = "ttyACM0", port: String = "1-2") -> HostDevice {
        HostDevice(
            kind: .tty, sysname: tty,
            syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/\(port)/\(port):1.0/tty/\(tty)",
            devnode: "/dev/\(tty)", links: ["/dev/serial/by-id/usb-Arduino_Uno_7573530-if00"], driver: "cdc_acm",
            identity: DeviceIdentity(vendorID: "2341", productID: "0043", serial: "7573530"),
            usbDevice: "/sys/devices/pci0000:00/0000:00:14.0/usb1/\(port)", usbPort: port)
    }
}
