import Foundation

/// A rule that picks a host device by what it is, and only by where it is plugged when asked.
///
/// Semantics, stated once and tested:
/// - Every field given must match (AND); fields not given are not looked at. An empty rule is invalid.
/// - `vendor`, `product`, `serial`, `manufacturer`, `model` and `byID` describe the device's
///   *identity*. A rule made only of these follows the device to any port, across replug, a
///   new `ttyUSB` number and re-enumeration, and never matches another device that happens
///   to sit on the same port.
/// - `port` (a USB port path such as `1-2` or `3-1.4`) pins the rule to a place; it is looked at
///   only when given, and then anything with the other fields on that port matches.
/// - `subsystem` restricts the kind (`tty` by default for serial exports; nil: any).
/// - Hex IDs compare case-insensitively with leading zeros (`403` = `0403`); `serial` compares exactly;
///   `byID` matches a full `/dev/serial/by-id/…` path or its last component.
/// - When a rule matches several present devices, ``select(from:)`` says so instead of guessing.
public struct DeviceMatch: Sendable, Hashable, Codable, CustomStringConvertible {
    /// USB vendor ID (`0403`).
    public var vendor: String?
    /// USB product ID (`6001`).
    public var product: String?
    /// USB serial number string, exact.
    public var serial: String?
    /// Manufacturer string, exact.
    public var manufacturer: String?
    /// Product string, exact.
    public var model: String?
    /// A `by-id` link: full path or its name.
    public var byID: String?
    /// A USB port path (`1-2`): only when the rule is meant to follow a place rather than a device.
    public var port: String?
    /// The udev subsystem to look in (`tty`, `usb`, `bluetooth`); nil: any.
    public var subsystem: String?

    /// The keys accepted in `key=value` text and config maps.
    public static let keys = ["vendor", "product", "serial", "manufacturer", "model", "by_id", "port", "subsystem"]

    /// Creates a rule; throws when it has no field at all.
    public init(
        vendor: String? = nil, product: String? = nil, serial: String? = nil, manufacturer: String? = nil,
        model: String? = nil, byID: String? = nil, port: String? = nil, subsystem: String? = nil
    ) throws(DiscoveryError) {
        self.vendor = vendor.map(DeviceIdentity.normalizedHex)
        self.product = product.map(DeviceIdentity.normalizedHex)
        self.serial = serial
        self.manufacturer = manufacturer
        self.model = model
        self.byID = byID
        self.port = port
        self.subsystem = subsystem
        try validate()
    }

    /// Parses `vendor=0403,product=6001,serial=A50285BI` (the `--match` option).
    public init(parsing text: String) throws(DiscoveryError) {
        var fields: [String: String] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            guard let equals = part.firstIndex(of: "=") else {
                throw DiscoveryError(.invalidMatch, "expected KEY=VALUE in '\(part)'", key: String(part))
            }
            let key = part[..<equals].trimmingCharacters(in: .whitespaces)
            let value = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            fields[key] = value
        }
        try self.init(fields: fields)
    }

    /// Other spellings accepted in config maps: `by-id`, `byID`, and the udev property names
    /// `ID_VENDOR_ID`, `ID_MODEL_ID`, `ID_SERIAL_SHORT`, `SUBSYSTEM`.
    public static let aliases = [
        "by-id": "by_id", "byID": "by_id", "ID_VENDOR_ID": "vendor", "ID_MODEL_ID": "product",
        "ID_SERIAL_SHORT": "serial", "SUBSYSTEM": "subsystem",
    ]

    /// Builds a rule from a config map (`match: {vendor: "0403", product: "6001"}`); see ``aliases``.
    public init(fields: [String: String]) throws(DiscoveryError) {
        var known: [String: String] = [:]
        for (rawKey, value) in fields {
            let key = DeviceMatch.aliases[rawKey] ?? rawKey
            guard DeviceMatch.keys.contains(key) else {
                throw DiscoveryError(
                    .invalidMatch, "unknown match key; expected one of \(DeviceMatch.keys.joined(separator: ", "))",
                    key: rawKey)
            }
            guard !value.isEmpty else { throw DiscoveryError(.invalidMatch, "empty value", key: rawKey) }
            known[key] = value
        }
        try self.init(
            vendor: known["vendor"], product: known["product"], serial: known["serial"],
            manufacturer: known["manufacturer"], model: known["model"], byID: known["by_id"], port: known["port"],
            subsystem: known["subsystem"])
    }

    private func validate() throws(DiscoveryError) {
        for (key, value) in [("vendor", vendor), ("product", product)] {
            guard let value else { continue }
            guard value.count == 4, value.allSatisfy(\.isHexDigit) else {
                throw DiscoveryError(.invalidMatch, "'\(value)' is not a 16-bit hex ID", key: key)
            }
        }
        guard
            vendor != nil || product != nil || serial != nil || manufacturer != nil || model != nil
                || byID != nil || port != nil
        else {
            throw DiscoveryError(
                .invalidMatch, "a match rule needs at least one of vendor, product, serial, by_id, port")
        }
    }

    /// True when the rule says what the device is (not only where it is).
    public var hasIdentity: Bool {
        vendor != nil || product != nil || serial != nil || manufacturer != nil || model != nil || byID != nil
    }

    /// True when every field given matches `device`.
    public func matches(_ device: HostDevice) -> Bool {
        if let subsystem, device.subsystem != subsystem { return false }
        if let vendor, device.identity.vendorID != vendor { return false }
        if let product, device.identity.productID != product { return false }
        if let serial, device.identity.serial != serial { return false }
        if let manufacturer, device.identity.manufacturer != manufacturer { return false }
        if let model, device.identity.model != model { return false }
        if let byID {
            let wanted = byID.contains("/") ? byID : "/by-id/" + byID
            guard device.links.contains(where: { $0 == wanted || $0.hasSuffix(wanted) }) else { return false }
        }
        if let port, device.usbPort != port { return false }
        return true
    }

    /// What a rule finds among present devices.
    public enum Selection: Sendable, Equatable {
        /// Nothing matches.
        case none
        /// Exactly one device matches.
        case one(HostDevice)
        /// Several match: the rule needs a serial (or a port) to tell them apart; nothing is picked.
        case ambiguous([HostDevice])
    }

    /// Picks the device among `devices`, refusing to guess between several.
    public func select(from devices: [HostDevice]) -> Selection {
        let found = devices.filter(matches)
        switch found.count {
        case 0: return .none
        case 1: return .one(found[0])
        default: return .ambiguous(found)
        }
    }

    /// `vendor=0403,product=6001,serial=A50285BI`, the form `--match` takes.
    public var description: String {
        let pairs: [(String, String?)] = [
            ("vendor", vendor), ("product", product), ("serial", serial), ("manufacturer", manufacturer),
            ("model", model), ("by_id", byID), ("port", port), ("subsystem", subsystem),
        ]
        return pairs.compactMap { key, value in value.map { "\(key)=\($0)" } }.joined(separator: ",")
    }
}
