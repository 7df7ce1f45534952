import Simulation
import VirtualDevices

/// What a device may share with the rest of the service (``DeviceOptions`` of the catalog).
public typealias DeviceResources = DeviceOptions

/// Builds virtual devices from a device configuration: profile + protocol → ``VirtualDevice``.
///
/// Protocols are looked up by name in a ``DeviceCatalog``; ``standard`` uses
/// ``DeviceCatalog/standard``, every protocol this build has. A device whose protocol is
/// missing fails alone, with an `unavailable` error.
public struct DeviceFactory: Sendable {
    /// The protocols this factory knows.
    public var catalog: DeviceCatalog

    /// Creates a factory over a catalog.
    public init(catalog: DeviceCatalog) {
        self.catalog = catalog
    }

    /// Every protocol of this build (``DeviceCatalog/standard``).
    public static var standard: DeviceFactory { DeviceFactory(catalog: .standard) }

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
        DeviceCatalog.protocolName(requested: configuration.protocolName, profile: profile)
    }

    /// Builds the device.
    public func make(
        _ configuration: VirtualDeviceConfiguration, resources: DeviceResources = DeviceResources()
    ) throws(ServiceError) -> any VirtualDevice {
        let profile = try loadProfile(configuration)
        let name = protocolName(configuration, profile: profile)
        let entry: DeviceCatalog.Entry
        do {
            entry = try catalog.entry(named: name)
        } catch {
            let known = error.known.sorted().joined(separator: ", ")
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
            return try entry.make(simulation, resources)
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(.startFailed, "\(error)", key: "devices.\(configuration.name).protocol")
        }
    }
}
