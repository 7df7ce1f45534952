import Synchronization

/// The supervisor's devices by name, readable without awaiting the supervisor
/// (for synchronous callers such as the Nightscout event route).
public final class DeviceDirectory: Sendable {
    private let devices = Mutex<[String: any ManagedDevice]>([:])

    /// Creates an empty directory.
    public init() {}

    /// The device called `name`, if any.
    public func device(named name: String) -> (any ManagedDevice)? { devices.withLock { $0[name] } }

    func set(_ name: String, _ device: (any ManagedDevice)?) {
        devices.withLock { $0[name] = device }
    }
}
