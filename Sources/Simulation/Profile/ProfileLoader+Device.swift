/// The `device:` section, as written: no defaults (VirtualDevices' `DeviceSpec` decides what it means).
extension ProfileLoader.Decoder {
    func decodeDevice(_ node: ProfileNode?, channels: [ChannelSpec]) throws(ProfileError) -> DeviceSection {
        let names = Set(channels.map(\.name))
        var device = DeviceSection()
        guard let node else { return device }
        var reader = try node.mapping()
        func channel(_ key: String) throws(ProfileError) -> String? {
            guard let valueNode = reader.optional(key) else { return nil }
            let name = try valueNode.string()
            guard names.contains(name) else { throw valueNode.error(.unknownReference, "no channel '\(name)'") }
            return name
        }
        device.protocolName = try reader.optional("protocol")?.string()
        device.pit = try channel("pit")
        device.ambient = try channel("ambient")
        device.glucose = try channel("glucose")
        if let foodNode = reader.optional("food") {
            var food: [String] = []
            for item in try foodNode.sequence() {
                let name = try item.string()
                guard names.contains(name) else { throw item.error(.unknownReference, "no channel '\(name)'") }
                food.append(name)
            }
            guard food.count <= 4 else { throw foodNode.error(.badValue, "at most 4 food probes") }
            device.food = food
        }
        try reader.finish()
        return device
    }
}
