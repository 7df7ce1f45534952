extension SmokerModel {
    /// Builds a smoker from a profile's `model:` mapping (`type: smoker`).
    ///
    /// ```yaml
    /// model:
    ///   type: smoker
    ///   setpoint: 225F
    ///   ambient: 70F
    ///   wind: 5mph
    ///   fuel: 6.8kg
    ///   meats:
    ///     - {cut: brisket, weight: 6kg}
    /// ```
    static let factory = ModelFactory(
        type: "smoker",
        summary: "Charcoal smoker with a HeaterMeter PID fan, fuel, lid and wind; meats with an evaporative stall."
    ) { (reader: inout MappingReader, _: ClockSpec) throws(ProfileError) -> any PhysicalModel in
        var configuration = Configuration()
        var nodes: [String: ProfileNode] = [:]
        func read(_ key: String, _ dimension: Dimension) throws(ProfileError) -> Double? {
            guard let node = reader.optional(key) else { return nil }
            nodes[key] = node
            return try node.quantity(dimension)
        }
        func number(_ key: String) throws(ProfileError) -> Double? {
            guard let node = reader.optional(key) else { return nil }
            nodes[key] = node
            return try node.number()
        }
        if let value = try read("setpoint", .temperature) { configuration.setpoint = value }
        if let value = try read("ambient", .temperature) { configuration.ambient = value }
        if let value = try read("wind", .speed) { configuration.windSpeed = value }
        if let value = try read("initial_pit", .temperature) { configuration.initialPitTemperature = value }
        if let value = try read("fuel", .mass) { configuration.fuelLoad = value }
        if let value = try read("pit_dew_point", .temperature) { configuration.pitDewPoint = value }
        if let value = try number("fire_power") { configuration.fireMaxPower = value }
        if let value = try number("fire_flicker") { configuration.fireFlicker = value }
        if let value = try number("kp") { configuration.proportionalGain = value }
        if let value = try number("ki") { configuration.integralGain = value }
        if let value = try number("kd") { configuration.derivativeGain = value }
        if let meatsNode = reader.optional("meats") {
            nodes["meats"] = meatsNode
            for (index, item) in try meatsNode.sequence().enumerated() {
                var meat = try item.mapping()
                let cutNode = try meat.required("cut")
                let cutText = try cutNode.string()
                guard let cut = MeatConfiguration.Cut(rawValue: cutText) else {
                    let known = MeatConfiguration.Cut.allCases.map(\.rawValue).joined(separator: ", ")
                    throw cutNode.error(.badValue, "unknown cut '\(cutText)' (known: \(known))")
                }
                var configurationMeat = MeatConfiguration(cut: cut)
                if let weight = meat.optional("weight") {
                    nodes["meat\(index + 1).weight"] = weight
                    configurationMeat.weight = try weight.quantity(.mass)
                }
                if let initial = meat.optional("initial") {
                    configurationMeat.initialTemperature = try initial.quantity(.temperature)
                }
                if let wrapped = meat.optional("wrapped") { configurationMeat.wrapped = try wrapped.bool() }
                try meat.finish()
                configuration.meats.append(configurationMeat)
            }
        }
        do throws(ModelError) {
            return try SmokerModel(configuration: configuration)
        } catch {
            // Point at the key the model blames, else at the model section.
            let node = error.key.flatMap { nodes[$0] } ?? reader.node
            throw node.error(.badValue, error.message)
        }
    }
}
