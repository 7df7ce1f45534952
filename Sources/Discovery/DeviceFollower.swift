/// Which device a match rule currently designates, as hotplug events arrive. Pure: no I/O.
///
/// It attaches only when exactly one present device matches, follows that device (by syspath)
/// until it is removed or stops matching, and never switches to another device while the
/// current one is present. After a removal, the same identity coming back (on any port, with
/// any `ttyUSB` number) is attached again; a device that does not match the rule is never
/// attached, whatever port it sits on.
public struct DeviceFollower: Sendable {
    /// What the owner of the export should do.
    public enum Decision: Sendable, Equatable {
        /// Open this device (its devnode) and resume.
        case attach(HostDevice)
        /// The device went away: pause, keep clients.
        case detach(HostDevice)
        /// Several present devices match: nothing is attached until only one does.
        case ambiguous([HostDevice])
        /// A matching device appeared while another is attached; it is left alone.
        case ignored(HostDevice)
    }

    /// The rule.
    public let rule: DeviceMatch
    /// The device attached now, if any.
    public private(set) var current: HostDevice?
    private var candidates: [String: HostDevice] = [:]

    /// Follows devices matching `rule`.
    public init(rule: DeviceMatch) {
        self.rule = rule
    }

    /// Takes the devices present at start (``DeviceMonitor/present``) at once, so that with
    /// several matching nothing is attached (rather than whichever was listed first).
    public mutating func start(present: [HostDevice]) -> [Decision] {
        for device in present where rule.matches(device) { candidates[device.syspath] = device }
        return decideWhenDetached(afterRemoval: false)
    }

    /// Feeds one event; returns what to do (often nothing).
    public mutating func handle(_ event: DeviceEvent) -> [Decision] {
        let device = event.device
        var decisions: [Decision] = []
        let isCurrent = current?.syspath == device.syspath
        if event.action == .remove || !rule.matches(device) {
            guard candidates.removeValue(forKey: device.syspath) != nil || isCurrent else { return [] }
            if isCurrent, let gone = current {
                current = nil
                decisions.append(.detach(gone))
            }
        } else {
            candidates[device.syspath] = device
            if isCurrent {
                current = device
                return []
            }
            if current != nil { return [.ignored(device)] }
        }
        return decisions + decideWhenDetached(afterRemoval: event.action == .remove)
    }

    private mutating func decideWhenDetached(afterRemoval: Bool) -> [Decision] {
        guard current == nil else { return [] }
        switch candidates.count {
        case 0: return []
        case 1:
            let only = candidates.values.first!
            current = only
            return [.attach(only)]
        default:
            return [.ambiguous(candidates.values.sorted { $0.syspath < $1.syspath })]
        }
    }
}
