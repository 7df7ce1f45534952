/// Scheduled and random events: triggers, conditions, parameters and labels.
extension ProfileLoader.Decoder {
    func decodeEvent(
        _ node: ProfileNode, modelType: String?, model: (any PhysicalModel)?, channels: [ChannelSpec],
        clock: ClockSpec
    ) throws(ProfileError) -> EventSpec {
        var reader = try node.mapping()
        let typeNode = try reader.required("type")
        let eventType = try Self.eventType(typeNode, modelType: modelType)
        let trigger: EventTrigger
        let atNode = reader.optional("at")
        let whenNode = reader.optional("when")
        let daily = try reader.optional("daily")?.bool() ?? false
        switch (atNode, whenNode) {
        case (let at?, nil):
            let text = try at.string()
            if let timeOfDay = TimeOfDayText.parse(text) {
                trigger = .timeOfDay(timeOfDay, daily: daily)
            } else {
                if daily { throw at.error(.badValue, "daily events need a time of day such as 07:30") }
                let offset = try at.duration()
                if let end = clock.duration, offset > end {
                    throw at.error(
                        .pastEnd,
                        "event at \(DurationText.format(offset)) is past the end of the profile "
                            + "(clock.duration \(DurationText.format(end)))")
                }
                trigger = .offset(offset)
            }
        case (nil, let when?):
            trigger = .condition(try decodeCondition(when, model: model, channels: channels))
        case (nil, nil):
            throw node.error(.missingKey, "an event needs 'at' (2h30m or 07:30) or 'when'")
        case (_?, _?):
            throw node.error(.badValue, "an event has either 'at' or 'when', not both")
        }
        var target: String?
        if let targetNode = reader.optional("target") {
            guard eventType.takesTarget else {
                throw targetNode.error(.unknownKey, "event '\(eventType.name)' takes no target")
            }
            target = try targetNode.string()
            if eventType.models.isEmpty, !channels.contains(where: { $0.name == target }) {
                throw targetNode.error(.unknownReference, "no channel '\(target!)'")
            }
        } else if eventType.models.isEmpty {
            throw node.error(.missingKey, "event '\(eventType.name)' needs a 'target' channel")
        }
        var parameters: [String: Double] = [:]
        for parameter in eventType.parameters {
            if let valueNode = reader.optional(parameter.name) {
                let value = try Self.parameterValue(valueNode, parameter.dimension)
                parameters[parameter.name] = value
            } else if parameter.required {
                throw node.error(.missingKey, "event '\(eventType.name)' needs '\(parameter.name)'")
            }
        }
        let label = try reader.optional("label")?.string()
        try reader.finish()
        let event = ModelEvent(eventType.name, parameters: parameters, target: target)
        return EventSpec(
            trigger: trigger, event: event, location: node.location, label: label ?? Self.label(for: event))
    }

    static func parameterValue(_ node: ProfileNode, _ dimension: Dimension) throws(ProfileError) -> Double {
        let value = dimension == .time ? try node.duration() : try node.quantity(dimension)
        if value < 0 && dimension != .temperature {
            throw node.error(.badValue, "must not be negative")
        }
        return value
    }

    static func eventType(_ typeNode: ProfileNode, modelType: String?) throws(ProfileError) -> EventType {
        let name = try typeNode.string()
        let usable = EventCatalog.types(forModel: modelType)
        guard let eventType = usable.first(where: { $0.name == name }) else {
            let known = usable.map(\.name).joined(separator: ", ")
            if EventCatalog.type(named: name) != nil {
                throw typeNode.error(
                    .badValue, "event '\(name)' does not apply to model '\(modelType ?? "none")' (usable: \(known))"
                )
            }
            throw typeNode.error(.badValue, "unknown event type '\(name)' (known: \(known))")
        }
        return eventType
    }

    /// A short label: `lid_open 1m30s`, `meal 60g`, `wrap meat1`.
    static func label(for event: ModelEvent) -> String {
        var parts = [event.name]
        if let target = event.target { parts.append(target) }
        for (key, value) in event.parameters.sorted(by: { $0.key < $1.key }) {
            let unit = EventCatalog.type(named: event.name)?.parameters.first { $0.name == key }?.dimension
            switch unit {
            case Dimension.time?: parts.append(DurationText.format(value))
            case Dimension.temperature?: parts.append("\(Int(value.rounded()))°F")
            case Dimension.carbohydrate?: parts.append("\(Int(value.rounded()))g")
            case Dimension.insulin?: parts.append("\(value)U")
            case Dimension.glucose?: parts.append("\(Int(value.rounded()))mg/dL")
            case Dimension.mass?: parts.append("\(value)kg")
            default: parts.append("\(key)=\(value)")
            }
        }
        return parts.joined(separator: " ")
    }

    func decodeCondition(_ node: ProfileNode, model: (any PhysicalModel)?, channels: [ChannelSpec])
        throws(ProfileError) -> EventCondition
    {
        var reader = try node.mapping()
        let signalNode = try reader.required("signal")
        let signal = try signalNode.string()
        let unit: SignalUnit
        if let output = model?.outputs.first(where: { $0.name == signal }) {
            unit = output.unit
        } else if let channel = channels.first(where: { $0.name == signal }) {
            unit = channel.unit
        } else {
            throw signalNode.error(.unknownReference, "no model output or channel '\(signal)'")
        }
        let dimension = Dimension.absolute(of: unit)
        var condition = EventCondition(signal: signal, above: nil, below: nil, delay: 0)
        if let above = reader.optional("above") { condition.above = try above.quantity(dimension) }
        if let below = reader.optional("below") { condition.below = try below.quantity(dimension) }
        if unit == .celsius {
            condition.above = condition.above.map { SignalUnit.fahrenheit.convert($0, to: .celsius) }
            condition.below = condition.below.map { SignalUnit.fahrenheit.convert($0, to: .celsius) }
        }
        if let delay = reader.optional("delay") { condition.delay = try delay.duration() }
        guard (condition.above == nil) != (condition.below == nil) else {
            throw node.error(.badValue, "a condition needs exactly one of 'above' or 'below'")
        }
        try reader.finish()
        return condition
    }

    func decodeRandomEvent(_ node: ProfileNode, modelType: String?, channels: [ChannelSpec])
        throws(ProfileError) -> RandomEventSpec
    {
        var reader = try node.mapping()
        let eventType = try Self.eventType(try reader.required("type"), modelType: modelType)
        let probabilityNode = try reader.required("probability")
        let probability = try probabilityNode.number()
        guard (0...1).contains(probability) else {
            throw probabilityNode.error(.badValue, "probability must be between 0 and 1")
        }
        let daily = try reader.optional("daily")?.bool() ?? false
        let windowNode = try reader.required("window")
        let bounds = try windowNode.sequence()
        guard bounds.count == 2 else { throw windowNode.error(.badValue, "window is [start, end]") }
        var window: [Double] = []
        for bound in bounds {
            if daily {
                guard let value = TimeOfDayText.parse(try bound.string()) else {
                    throw bound.error(.badValue, "daily windows use times of day such as 07:00")
                }
                window.append(value)
            } else {
                window.append(try bound.duration())
            }
        }
        guard window[0] <= window[1] else { throw windowNode.error(.badValue, "window start is after its end") }
        let target = try reader.optional("target")?.string()
        var parameters: [String: Distribution] = [:]
        for parameter in eventType.parameters {
            guard let valueNode = reader.optional(parameter.name) else {
                if parameter.required {
                    throw node.error(.missingKey, "random event '\(eventType.name)' needs '\(parameter.name)'")
                }
                continue
            }
            parameters[parameter.name] = try decodeDistribution(valueNode, parameter.dimension)
        }
        try reader.finish()
        return RandomEventSpec(
            type: eventType.name, target: target, probability: probability, window: window[0]...window[1],
            daily: daily, parameters: parameters, location: node.location)
    }

    func decodeDistribution(_ node: ProfileNode, _ dimension: Dimension) throws(ProfileError) -> Distribution {
        if case .scalar = node.content { return .constant(try Self.parameterValue(node, dimension)) }
        var reader = try node.mapping()
        let kind = try reader.required("distribution")
        let result: Distribution
        switch try kind.string() {
        case "normal":
            result = .normal(
                mean: try Self.parameterValue(try reader.required("mean"), dimension),
                sd: try Self.parameterValue(try reader.required("sd"), dimension))
        case "uniform":
            let low = try Self.parameterValue(try reader.required("min"), dimension)
            let highNode = try reader.required("max")
            let high = try Self.parameterValue(highNode, dimension)
            guard low <= high else { throw highNode.error(.badValue, "max must not be below min") }
            result = .uniform(low...high)
        case let other:
            throw kind.error(.badValue, "distribution must be normal or uniform, found '\(other)'")
        }
        try reader.finish()
        return result
    }
}
