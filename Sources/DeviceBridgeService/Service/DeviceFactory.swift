import Simulation
import VirtualDevices

/// What a device may share with the rest of the service.
public struct DeviceResources: Sendable {
    /// Who receives a CGM device's readings (e.g. the Nightscout store's ``CGMHistoryStore/subscriber``);
    /// ignored by other devices.
    public var cgmSubscribers: [CGMDevice.Subscriber]

    /// Creates resources.
    public init(cgmSubscribers: [CGMDevice.Subscriber] = []) {
        self.cgmSubscribers = cgmSubscribers
    }
}

/// Builds virtual devices from a device configuration: profile + protocol → ``VirtualDevice``.
///
/// Protocols are looked up by name in ``makers``; ``standard`` knows every protocol this build
/// has. A device whose protocol is missing fails alone, with an `unavailable` error.
public struct DeviceFactory: Sendable {
    /// Makes a device speaking one protocol over a simulation.
    /// Errors thrown are reported as the device's start failure.
    public typealias Maker = @Sendable (Simulation, DeviceResources) throws -> any VirtualDevice

    /// Protocol name → maker.
    public var makers: [String: Maker]

    /// Creates a factory with the given makers.
    public init(makers: [String: Maker]) {
        self.makers = makers
    }

    /// Every protocol of this build: `smart-smoker`, `heatermeter`, `cgm-jsonl`.
    public static var standard: DeviceFactory {
        var makers: [String: Maker] = [:]
        for smoker in SmokerProtocol.allCases {
            makers[smoker.rawValue] = { simulation, _ in SmokerDevice(simulation: simulation, protocol: smoker) }
        }
        makers[CGMJSONLCodec.protocolName] = { simulation, resources in
            try CGMDevice(simulation: simulation, subscribers: resources.cgmSubscribers)
        }
        return DeviceFactory(makers: makers)
    }

    /// Loads the profile and checks that it runs: errors name the profile file, line and key.
    public func loadProfile(_ configuration: VirtualDeviceConfiguration) throws(ServiceError) -> Profile {
        do {
            let profile = try ProfileFiles.load(configuration.profile)
            _ = try Simulation(profile: profile, seed: configuration.seed)
            return profile
        } catch {
            throw ServiceError(.startFailed, "profile: \(error)", key: "devices.\(configuration.name).profile")
        }
    }

    /// The protocol a device will speak: the configured one, else the profile's, else smart-smoker.
    public func protocolName(_ configuration: VirtualDeviceConfiguration, profile: Profile) -> String {
        configuration.protocolName ?? profile.device.protocolName ?? SmokerProtocol.smartSmoker.rawValue
    }

    /// Builds the device.
    public func make(
        _ configuration: VirtualDeviceConfiguration, resources: DeviceResources = DeviceResources()
    ) throws(ServiceError) -> any VirtualDevice {
        let profile = try loadProfile(configuration)
        let name = protocolName(configuration, profile: profile)
        guard let maker = makers[name] else {
            let known = makers.keys.sorted().joined(separator: ", ")
            throw ServiceError(
                .unavailable, "protocol '\(name)' is not available in this build (available: \(known))",
                key: "devices.\(configuration.name).protocol")
        }
        let simulation: Simulation
        do {
            simulation = try Simulation(profile: profile, seed: configuration.seed)
        } catch {
            throw ServiceError(.startFailed, "profile: \(error)", key: "devices.\(configuration.name).profile")
        }
        do {
            return try maker(simulation, resources)
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(.startFailed, "\(error)", key: "devices.\(configuration.name).protocol")
        }
    }
}
