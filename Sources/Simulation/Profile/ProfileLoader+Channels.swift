/// Channels: their source (model output, curve or CSV series) and unit.
extension ProfileLoader.Decoder {
    func decodeChannel(
        _ name: String, _ node: ProfileNode, model: (any PhysicalModel)?, temperatureUnit: SignalUnit,
        clock: ClockSpec
    ) throws(ProfileError) -> ChannelSpec {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
            throw node.error(.badValue, "channel names may use letters, digits, '_', '-' and '.' only")
        }
        var reader = try node.mapping()
        let sourceKeys = ["source", "curve", "csv"].filter { reader.keys.contains($0) }
        guard sourceKeys.count == 1 else {
            throw node.error(
                sourceKeys.isEmpty ? .missingKey : .badValue,
                "a channel needs exactly one of 'source' (a model output), 'curve' or 'csv'")
        }
        var declaredUnit: SignalUnit?
        if let unitNode = reader.optional("unit") {
            let text = try unitNode.string()
            guard let unit = SignalUnit(rawValue: text == "°F" ? "F" : text == "°C" ? "C" : text) else {
                let known = SignalUnit.allCases.map(\.rawValue).filter { !$0.isEmpty }.joined(separator: ", ")
                throw unitNode.error(.badUnit, "unknown unit '\(text)' (known: \(known))")
            }
            declaredUnit = unit
        }
        let source: SignalSourceSpec
        var unit: SignalUnit
        if let sourceNode = reader.optional("source") {
            let output = try sourceNode.string()
            guard let model else {
                throw sourceNode.error(.unknownReference, "'source: \(output)' needs a model section")
            }
            guard let index = model.outputIndex(named: output) else {
                let known = model.outputs.map(\.name).joined(separator: ", ")
                throw sourceNode.error(.unknownReference, "the model has no output '\(output)' (outputs: \(known))")
            }
            source = .model(output: output)
            let native = model.outputs[index].unit
            unit = native
            if native == .fahrenheit || native == .celsius { unit = temperatureUnit }
            if let declaredUnit {
                guard native.isConvertible(to: declaredUnit) else {
                    throw node.error(
                        .badUnit,
                        "output '\(output)' is in \(native.label), which cannot be shown in \(declaredUnit.label)")
                }
                unit = declaredUnit
            }
        } else if let curveNode = reader.optional("curve") {
            unit = declaredUnit ?? .none
            source = .curve(try decodeCurve(curveNode, unit: &unit, temperatureUnit: temperatureUnit))
        } else {
            let csvNode = try reader.required("csv")
            unit = declaredUnit ?? .none
            source = .series(try decodeCSV(csvNode, unit: unit))
        }
        let sensor =
            try reader.optional("sensor").map { node throws(ProfileError) in
                try decodeSensor(node, unit: unit, clock: clock)
            } ?? SensorSpec()
        try reader.finish()
        return ChannelSpec(name: name, source: source, unit: unit, sensor: sensor, location: node.location)
    }

    func decodeCurve(_ node: ProfileNode, unit: inout SignalUnit, temperatureUnit: SignalUnit)
        throws(ProfileError) -> Curve
    {
        var reader = try node.mapping()
        var interpolation = Curve.Interpolation.linear
        if let interpolationNode = reader.optional("interpolation") {
            let text = try interpolationNode.string()
            guard let value = Curve.Interpolation(rawValue: text) else {
                throw interpolationNode.error(.badValue, "interpolation must be linear, step or smooth")
            }
            interpolation = value
        }
        let loop = try reader.optional("loop")?.bool() ?? false
        let knotsNode = try reader.required("knots")
        var times: [Double] = []
        var values: [Double] = []
        var inferred: SignalUnit? = unit == .none ? nil : unit
        for knot in try knotsNode.sequence() {
            let pair = try knot.sequence()
            guard pair.count == 2 else {
                throw knot.error(.badValue, "a knot is [time, value], e.g. [2h, 225F]")
            }
            let time = try pair[0].duration()
            if let last = times.last, time <= last {
                throw pair[0].error(.badValue, "knot times must increase (this one is not after the previous)")
            }
            let (value, valueUnit) = try Self.valueWithUnit(pair[1], expected: inferred)
            if inferred == nil { inferred = valueUnit }
            times.append(time)
            values.append(value)
        }
        guard !times.isEmpty else { throw knotsNode.error(.missingKey, "a curve needs at least one knot") }
        // Temperatures are stored in the profile's display unit.
        var resolved = inferred ?? .none
        if resolved == .fahrenheit || resolved == .celsius {
            values = values.map { Dimension.temperature.canonical.convert($0, to: temperatureUnit) }
            resolved = temperatureUnit
        }
        unit = resolved
        try reader.finish()
        return Curve(times: times, values: values, interpolation: interpolation, loop: loop)
    }

    /// A value such as `225F`, `120mg/dL`, `35%` or `0.5`; temperatures come back in °F.
    static func valueWithUnit(_ node: ProfileNode, expected: SignalUnit?) throws(ProfileError)
        -> (Double, SignalUnit)
    {
        let candidates: [(Dimension, SignalUnit)] = [
            (.temperature, .fahrenheit), (.glucose, .milligramsPerDeciliter), (.percent, .percent),
            (.mass, .kilograms),
        ]
        let text = try node.string()
        if let expected, expected != .none {
            let dimension = Dimension.absolute(of: expected)
            let value = try node.quantity(dimension)
            return (value, expected == .celsius ? .fahrenheit : expected)
        }
        for (dimension, unit) in candidates {
            if case .success(let value) = Quantity.parse(text, dimension: dimension) { return (value, unit) }
        }
        return (try node.number(), .none)
    }

    func decodeCSV(_ node: ProfileNode, unit: SignalUnit) throws(ProfileError) -> Curve {
        var reader = try node.mapping()
        let fileNode = try reader.required("file")
        let path = try fileNode.string()
        let column = try reader.required("column").string()
        let timeColumn = try reader.optional("time_column")?.string() ?? "elapsed_s"
        let loop = try reader.optional("loop")?.bool() ?? false
        try reader.finish()
        guard let sources else {
            throw fileNode.error(
                .notFound,
                "CSV file '\(path)' cannot be read here: this profile was given no file resolver "
                    + "(load it from a file, not from memory)")
        }
        let text: String
        do {
            text = try sources.read(path)
        } catch {
            throw fileNode.error(.notFound, "cannot read CSV file '\(path)': \(error)")
        }
        do {
            let series = try CSVSeries.parse(text, timeColumn: timeColumn, valueColumn: column)
            return Curve(times: series.times, values: series.values, interpolation: .linear, loop: loop)
        } catch {
            throw fileNode.error(.badValue, "\(path): \(error.message)")
        }
    }
}
