import Simulation

/// How a profile maps onto a virtual device: the device's view of a ``Profile``.
///
/// The profile's `device:` section (``DeviceSection``, as written) wins; where it is silent,
/// channels are taken by name: `pit`, `meat1`…`meat4`, `ambient`, `glucose`.
public struct DeviceSpec: Sendable, Hashable {
    /// Default protocol (`smart-smoker`, `heatermeter`, `cgm-jsonl`), if the profile names one.
    public var protocolName: String?
    /// Channel feeding the pit/chamber probe.
    public var pit: String?
    /// Channels feeding food probes 1…4.
    public var food: [String]
    /// Channel feeding the ambient probe.
    public var ambient: String?
    /// Channel with the glucose reading (CGM devices).
    public var glucose: String?

    public init(
        protocolName: String? = nil, pit: String? = nil, food: [String] = [], ambient: String? = nil,
        glucose: String? = nil
    ) {
        self.protocolName = protocolName
        self.pit = pit
        self.food = food
        self.ambient = ambient
        self.glucose = glucose
    }

    /// The profile's `device:` section, with channels taken by name where it is silent.
    public init(profile: Profile) {
        let names = Set(profile.channels.map(\.name))
        func named(_ name: String) -> String? { names.contains(name) ? name : nil }
        let section = profile.device
        self.init(
            protocolName: section.protocolName,
            pit: section.pit ?? named("pit"),
            food: section.food ?? ["meat1", "meat2", "meat3", "meat4"].filter(names.contains),
            ambient: section.ambient ?? named("ambient"),
            glucose: section.glucose ?? named("glucose"))
    }
}
