/// A hotplug event from the udev monitor.
public struct DeviceEvent: Sendable, Hashable {
    /// What happened.
    public enum Action: String, Sendable, Hashable, Codable {
        /// The device appeared.
        case add
        /// The device went away; its record is the last one seen while it was present.
        case remove
        /// Its properties or attributes changed.
        case change
        /// A driver was bound or unbound, or it moved.
        case other
    }

    /// What happened.
    public var action: Action
    /// The device.
    public var device: HostDevice

    /// Creates an event.
    public init(_ action: Action, _ device: HostDevice) {
        self.action = action
        self.device = device
    }
}
