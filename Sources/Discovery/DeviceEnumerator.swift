import CUdev
import Foundation

/// Lists the host's serial, USB and Bluetooth devices through libudev.
public enum DeviceEnumerator {
    /// The devices of the given kinds present now, sorted by kind then devnode/sysname.
    public static func devices(kinds: Set<DeviceKind> = Set(DeviceKind.allCases)) throws(DiscoveryError)
        -> [HostDevice]
    {
        guard let udev = udev_new() else { throw DiscoveryError(.udev, "udev_new failed") }
        defer { udev_unref(udev) }
        guard let enumerate = udev_enumerate_new(udev) else {
            throw DiscoveryError(.udev, "udev_enumerate_new failed")
        }
        defer { udev_enumerate_unref(enumerate) }
        for kind in kinds.sorted(by: { $0.rawValue < $1.rawValue }) {
            udev_enumerate_add_match_subsystem(enumerate, kind.subsystem)
        }
        let status = udev_enumerate_scan_devices(enumerate)
        guard status >= 0 else { throw DiscoveryError(.udev, "udev_enumerate_scan_devices failed (\(status))") }

        var found: [HostDevice] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            entry = udev_list_entry_get_next(current)
            guard let path = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(udev, path)
            else { continue }
            defer { udev_device_unref(device) }
            guard let kind = UdevDevice.kind(of: device), kinds.contains(kind) else { continue }
            found.append(UdevDevice.hostDevice(device, kind: kind))
        }
        return found.sorted {
            ($0.kind.rawValue, $0.devnode ?? $0.sysname) < ($1.kind.rawValue, $1.devnode ?? $1.sysname)
        }
    }
}
