import Simulation

/// A serial line's framing as the real device uses it: speed, data bits, parity and stop bits.
///
/// A plain value, so the catalog stays pure (`VirtualDevices` does not import `SerialIO`);
/// the service turns it into termios settings where it opens a port.
public struct DeviceLineSettings: Sendable, Hashable, CustomStringConvertible {
    /// Bits per second.
    public var baud: Int
    /// 5…8.
    public var dataBits: Int
    /// `N`, `E`, `O`, `M` or `S`.
    public var parity: Character
    /// 1 or 2.
    public var stopBits: Int

    /// Creates settings; the defaults are 8N1.
    public init(baud: Int, dataBits: Int = 8, parity: Character = "N", stopBits: Int = 1) {
        self.baud = baud
        self.dataBits = dataBits
        self.parity = parity
        self.stopBits = stopBits
    }

    /// `9600 8N1`.
    public var description: String { "\(baud) \(dataBits)\(parity)\(stopBits)" }
}

/// What a device may share with the rest of the program when it is built.
public struct DeviceOptions: Sendable {
    /// Who receives a CGM device's readings (e.g. the Nightscout store's subscriber);
    /// ignored by other devices.
    public var cgmSubscribers: [CGMDevice.Subscriber]

    /// Creates options.
    public init(cgmSubscribers: [CGMDevice.Subscriber] = []) {
        self.cgmSubscribers = cgmSubscribers
    }
}

/// A protocol name that is not in the catalog.
public struct DeviceCatalogError: Error, Sendable, CustomStringConvertible {
    /// `unknownProtocol`.
    public var code: String
    /// The name asked for.
    public var name: String
    /// The catalog's names, in catalog order.
    public var known: [String]
    /// `unknown protocol 'NAME' (known: smart-smoker, heatermeter, cgm-jsonl)`.
    public var message: String { "unknown protocol '\(name)' (known: \(known.joined(separator: ", ")))" }
    public var description: String { message }
}

/// Every device protocol of this build, by name: how to build it, its line settings and its docs.
///
/// `sim`, `serve` (through `DeviceFactory`) and their docs take protocols from here and
/// nowhere else.
public struct DeviceCatalog: Sendable {
    /// One protocol.
    public struct Entry: Sendable {
        /// Builds a device speaking this protocol over a simulation.
        public typealias Maker = @Sendable (Simulation, DeviceOptions) throws -> any VirtualDevice

        /// The name on the command line and in profiles (`device.protocol`).
        public var name: String
        /// One line for docs and `--help`.
        public var summary: String
        /// The real device's line settings (what the PTY starts with).
        public var lineSettings: DeviceLineSettings
        /// Builds the device.
        public var make: Maker

        /// Creates an entry.
        public init(name: String, summary: String, lineSettings: DeviceLineSettings, make: @escaping Maker) {
            self.name = name
            self.summary = summary
            self.lineSettings = lineSettings
            self.make = make
        }
    }

    /// The protocol a profile speaks when neither it nor the user names one.
    public static let defaultProtocol = SmokerProtocol.smartSmoker.rawValue

    /// The entries, in the order docs list them.
    public let entries: [Entry]

    /// Creates a catalog. Names must be unique.
    public init(_ entries: [Entry]) {
        precondition(Set(entries.map(\.name)).count == entries.count, "duplicate protocol names")
        self.entries = entries
    }

    /// Every protocol of this build: `smart-smoker`, `heatermeter`, `cgm-jsonl`.
    public static let standard = DeviceCatalog([
        Entry(
            name: SmokerProtocol.smartSmoker.rawValue,
            summary: "Smart Smoker V2: a JSON line every 500 ms.",
            lineSettings: DeviceLineSettings(baud: SmartSmokerCodec().baudRate)
        ) { simulation, _ in SmokerDevice(simulation: simulation, protocol: .smartSmoker) },
        Entry(
            name: SmokerProtocol.heatermeter.rawValue,
            summary: "HeaterMeter: a $HMSU status line per second.",
            lineSettings: DeviceLineSettings(baud: HeaterMeterCodec().baudRate)
        ) { simulation, _ in SmokerDevice(simulation: simulation, protocol: .heatermeter) },
        Entry(
            name: CGMJSONLCodec.protocolName,
            summary: "CGM: a JSON line per 5-minute glucose reading.",
            lineSettings: DeviceLineSettings(baud: CGMJSONLCodec.baudRate)
        ) { simulation, options in try CGMDevice(simulation: simulation, subscribers: options.cgmSubscribers) },
    ])

    /// The protocol names, in catalog order.
    public var names: [String] { entries.map(\.name) }

    /// The entry called `name`, or an error listing the known names.
    public func entry(named name: String) throws(DeviceCatalogError) -> Entry {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw DeviceCatalogError(code: "unknownProtocol", name: name, known: names)
        }
        return entry
    }

    /// The protocol a device speaks: the requested one, else the profile's, else ``defaultProtocol``.
    public static func protocolName(requested: String?, profile: Profile) -> String {
        requested ?? profile.device.protocolName ?? defaultProtocol
    }

    /// `smart-smoker, heatermeter or cgm-jsonl`, for help texts.
    public var namesText: String {
        let names = self.names
        guard names.count > 1 else { return names.joined() }
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }
}
