import Foundation

/// Loads and validates profiles from YAML.
///
/// Every problem is reported as a ``ProfileError`` naming the file, line,
/// column and key: unknown keys (with a did-you-mean), missing units, bad
/// values, negative durations, events past the end, references to channels
/// or model outputs that do not exist.
public enum ProfileLoader {
    /// Loads a profile by path or by the name of a shipped profile (`smoker-brisket`).
    public static func load(_ pathOrName: String) throws(ProfileError) -> Profile {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: pathOrName) {
            let text: String
            do {
                text = try String(contentsOfFile: pathOrName, encoding: .utf8)
            } catch {
                throw ProfileError(.notFound, "cannot read profile '\(pathOrName)': \(error.localizedDescription)")
            }
            let base = URL(fileURLWithPath: pathOrName).deletingLastPathComponent().path
            return try parse(yaml: text, file: pathOrName, baseDirectory: base)
        }
        let name = pathOrName.hasSuffix(".yaml") ? String(pathOrName.dropLast(5)) : pathOrName
        if let embedded = ShippedProfiles.yaml(named: name) {
            return try parse(yaml: embedded, file: "<embedded \(name)>", baseDirectory: nil)
        }
        throw ProfileError(
            .notFound,
            "no profile file '\(pathOrName)' and no shipped profile of that name "
                + "(shipped: \(ShippedProfiles.names.joined(separator: ", ")))")
    }

    /// Parses profile YAML. `file` names the source in errors; relative CSV paths resolve against `baseDirectory`.
    public static func parse(yaml: String, file: String, baseDirectory: String? = nil) throws(ProfileError) -> Profile {
        let root = try ProfileNode.parse(yaml: yaml, file: file)
        var decoder = Decoder(file: file, baseDirectory: baseDirectory)
        return try decoder.decodeProfile(root)
    }

    struct Decoder {
        let file: String
        let baseDirectory: String?

        mutating func decodeProfile(_ root: ProfileNode) throws(ProfileError) -> Profile {
            var top = try root.mapping()
            let name =
                try top.optional("name")?.string()
                ?? URL(fileURLWithPath: file).deletingPathExtension()
                .lastPathComponent
            let summary = try top.optional("description")?.string() ?? ""
            var temperatureUnit = SignalUnit.fahrenheit
            if let unitNode = top.optional("units") {
                switch try unitNode.string() {
                case "F", "°F": temperatureUnit = .fahrenheit
                case "C", "°C": temperatureUnit = .celsius
                case let other: throw unitNode.error(.badUnit, "units must be F or C, found '\(other)'")
                }
            }
            let clock = try decodeClock(top.optional("clock"))

            var model: (any PhysicalModel)?
            var modelSpec: ModelSpec?
            if let modelNode = top.optional("model") {
                var reader = try modelNode.mapping()
                let typeNode = try reader.required("type")
                let type = try typeNode.string()
                guard let factory = ModelRegistry.factory(for: type) else {
                    let known = ModelRegistry.factories.map(\.type).joined(separator: ", ")
                    throw typeNode.error(.badValue, "unknown model type '\(type)' (known: \(known))")
                }
                model = try factory.build(&reader, clock)
                try reader.finish()
                modelSpec = ModelSpec(type: type, node: modelNode)
            }

            let channelsNode = try top.required("channels")
            var channelsReader = try channelsNode.mapping()
            var channels: [ChannelSpec] = []
            for (channelName, node) in channelsReader.remaining() {
                channels.append(
                    try decodeChannel(channelName, node, model: model, temperatureUnit: temperatureUnit, clock: clock))
            }
            if channels.isEmpty { throw channelsNode.error(.missingKey, "a profile needs at least one channel") }

            let modelType = modelSpec?.type
            var events: [EventSpec] = []
            if let eventsNode = top.optional("events") {
                for item in try eventsNode.sequence() {
                    events.append(
                        try decodeEvent(item, modelType: modelType, model: model, channels: channels, clock: clock))
                }
            }
            var randomEvents: [RandomEventSpec] = []
            if let node = top.optional("random_events") {
                for item in try node.sequence() {
                    randomEvents.append(try decodeRandomEvent(item, modelType: modelType, channels: channels))
                }
            }
            var faults: [FaultSpec] = []
            if let node = top.optional("faults") {
                for item in try node.sequence() {
                    faults.append(try decodeFault(item, channels: channels, clock: clock))
                }
            }
            let device = try decodeDevice(top.optional("device"), channels: channels)
            try top.finish()
            return Profile(
                name: name, summary: summary, source: file, temperatureUnit: temperatureUnit, clock: clock,
                model: modelSpec, channels: channels, events: events, randomEvents: randomEvents, faults: faults,
                device: device)
        }

        func decodeClock(_ node: ProfileNode?) throws(ProfileError) -> ClockSpec {
            var clock = ClockSpec(
                startEpoch: 1_780_000_000 - 1_780_000_000.truncatingRemainder(dividingBy: 86_400) + 6 * 3600,
                startTimeOfDay: 6 * 3600, tick: 1, seed: 1, duration: nil)
            guard let node else { return clock }
            var reader = try node.mapping()
            if let start = reader.optional("start") {
                let text = try start.string()
                guard let parsed = Self.parseTimestamp(text) else {
                    throw start.error(
                        .badValue, "start must be an ISO 8601 time such as 2026-06-06T06:00:00Z, found '\(text)'")
                }
                clock.startEpoch = parsed.epoch
                clock.startTimeOfDay = parsed.timeOfDay
            }
            if let tick = reader.optional("tick") {
                clock.tick = try tick.duration()
                guard clock.tick >= 0.01, clock.tick <= 3600 else {
                    throw tick.error(.badValue, "tick must be between 10ms and 1h")
                }
            }
            if let seed = reader.optional("seed") {
                let value = try seed.integer()
                guard value >= 0 else { throw seed.error(.badValue, "seed must not be negative") }
                clock.seed = UInt64(value)
            }
            if let duration = reader.optional("duration") {
                clock.duration = try duration.duration()
                if clock.duration == 0 { throw duration.error(.badValue, "duration must be positive") }
            }
            try reader.finish()
            return clock
        }

        /// Parses `2026-06-06T06:00:00Z` / `+02:00` offsets / no offset (UTC); returns epoch and local time of day.
        static func parseTimestamp(_ text: String) -> (epoch: Double, timeOfDay: Double)? {
            let pattern = #"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$"#
            guard let regex = try? NSRegularExpression(pattern: pattern),
                let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
            else { return nil }
            func group(_ i: Int) -> String? {
                guard let range = Range(match.range(at: i), in: text) else { return nil }
                return String(text[range])
            }
            guard let y = Int(group(1)!), let mo = Int(group(2)!), let d = Int(group(3)!), let h = Int(group(4)!),
                let mi = Int(group(5)!), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60
            else { return nil }
            let s = group(6).flatMap { Int($0) } ?? 0
            var offset = 0
            if let zone = group(7), zone != "Z" {
                let sign = zone.hasPrefix("-") ? -1 : 1
                let digits = zone.dropFirst().replacingOccurrences(of: ":", with: "")
                guard let hh = Int(digits.prefix(2)), let mm = Int(digits.suffix(2)) else { return nil }
                offset = sign * (hh * 3600 + mm * 60)
            }
            let days = Int(TextFormat.days(year: Int64(y), month: Int64(mo), day: Int64(d)))
            let local = h * 3600 + mi * 60 + s
            return (Double(days * 86_400 + local - offset), Double(local))
        }

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
            let fullPath = path.hasPrefix("/") || baseDirectory == nil ? path : "\(baseDirectory!)/\(path)"
            guard let text = try? String(contentsOfFile: fullPath, encoding: .utf8) else {
                throw fileNode.error(.notFound, "cannot read CSV file '\(fullPath)'")
            }
            do {
                let series = try CSVSeries.parse(text, timeColumn: timeColumn, valueColumn: column)
                return Curve(times: series.times, values: series.values, interpolation: .linear, loop: loop)
            } catch {
                throw fileNode.error(.badValue, "\(fullPath): \(error.message)")
            }
        }

        func decodeSensor(_ node: ProfileNode, unit: SignalUnit, clock: ClockSpec) throws(ProfileError)
            -> SensorSpec
        {
            var reader = try node.mapping()
            var sensor = SensorSpec()
            if let typeNode = reader.optional("type") {
                switch try typeNode.string() {
                case "cgm":
                    guard unit == .milligramsPerDeciliter else {
                        throw typeNode.error(.badUnit, "a cgm sensor reads glucose in mg/dL (source: interstitial)")
                    }
                    sensor.cgm = try decodeCGMSensor(&reader, clock: clock)
                    try reader.finish()
                    return sensor
                case "generic":
                    break
                case let other:
                    throw typeNode.error(.badValue, "sensor type must be generic or cgm, found '\(other)'")
                }
            }
            let delta = Dimension.delta(of: unit)
            let absolute = Dimension.absolute(of: unit)
            func inUnit(_ canonical: Double, isDelta: Bool) -> Double {
                guard unit == .celsius else { return canonical }
                return isDelta
                    ? SignalUnit.fahrenheit.convertDelta(canonical, to: .celsius)
                    : SignalUnit.fahrenheit.convert(canonical, to: .celsius)
            }
            if let interval = reader.optional("interval") {
                sensor.interval = try interval.duration()
                if sensor.interval == 0 { throw interval.error(.badValue, "interval must be positive") }
            }
            if let lag = reader.optional("lag") { sensor.lag = try lag.duration() }
            if let warmup = reader.optional("warmup") { sensor.warmup = try warmup.duration() }
            if let quantize = reader.optional("quantize") {
                sensor.quantization = inUnit(try quantize.quantity(delta), isDelta: true)
                if sensor.quantization < 0 { throw quantize.error(.badValue, "quantize must not be negative") }
            }
            if let clamp = reader.optional("clamp") {
                let bounds = try clamp.sequence()
                guard bounds.count == 2 else { throw clamp.error(.badValue, "clamp is [min, max]") }
                let low = inUnit(try bounds[0].quantity(absolute), isDelta: false)
                let high = inUnit(try bounds[1].quantity(absolute), isDelta: false)
                guard low < high else { throw clamp.error(.badValue, "clamp min must be below max") }
                sensor.clamp = low...high
            }
            if let noiseNode = reader.optional("noise") {
                var noise = try noiseNode.mapping()
                let typeNode = try noise.required("type")
                switch try typeNode.string() {
                case "gaussian":
                    sensor.noise = .gaussian(sd: inUnit(try noise.required("sd").quantity(delta), isDelta: true))
                case "ar1":
                    let phiNode = try noise.required("phi")
                    let phi = try phiNode.number()
                    guard (0..<1).contains(phi) else { throw phiNode.error(.badValue, "phi must be in [0, 1)") }
                    sensor.noise = .ar1(phi: phi, sd: inUnit(try noise.required("sd").quantity(delta), isDelta: true))
                case "johnson_su":
                    guard
                        case .johnsonSU(let xi, let lambda, let gamma, let dl, let phi, let grid) =
                            NoiseSpec.bretonKovatchev
                    else { fatalError("unreachable") }
                    sensor.noise = .johnsonSU(
                        xi: try noise.optional("xi")?.number() ?? xi,
                        lambda: try noise.optional("lambda")?.number() ?? lambda,
                        gamma: try noise.optional("gamma")?.number() ?? gamma,
                        delta: try noise.optional("delta")?.number() ?? dl,
                        phi: try noise.optional("phi")?.number() ?? phi,
                        grid: try noise.optional("grid")?.duration() ?? grid)
                case let other:
                    throw typeNode.error(.badValue, "noise type must be gaussian, ar1 or johnson_su, found '\(other)'")
                }
                try noise.finish()
            }
            try reader.finish()
            return sensor
        }

        /// The CGM sensor keys (besides `type: cgm`).
        func decodeCGMSensor(_ reader: inout MappingReader, clock: ClockSpec) throws(ProfileError)
            -> CGMSensor.Configuration
        {
            var configuration = CGMSensor.Configuration()
            configuration.startTimeOfDay = clock.startTimeOfDay
            if let node = reader.optional("interval") { configuration.sampleInterval = try node.duration() }
            if let node = reader.optional("warmup") { configuration.warmUp = try node.duration() }
            if let node = reader.optional("session") { configuration.sessionLength = try node.duration() }
            if let node = reader.optional("noise_scale") { configuration.noiseScale = try node.number() }
            if let node = reader.optional("calibration_drift") {
                configuration.calibrationDrift = try node.quantity(.percent) / 100
            }
            if let node = reader.optional("trend_window") { configuration.trendWindow = try node.duration() }
            if let node = reader.optional("compression_lows_per_night") {
                configuration.compressionLowsPerNight = try node.number()
            }
            if let node = reader.optional("signal_losses_per_day") {
                configuration.signalLossesPerDay = try node.number()
            }
            func windows(_ key: String) throws(ProfileError) -> [(start: Double, duration: Double, node: ProfileNode)] {
                guard let node = reader.optional(key) else { return [] }
                var result: [(Double, Double, ProfileNode)] = []
                for item in try node.sequence() {
                    var window = try item.mapping()
                    let start = try window.required("start").duration()
                    let duration = try window.required("duration").duration()
                    result.append((start, duration, item))
                    _ = window.optional("depth")
                    try window.finish()
                }
                return result
            }
            for window in try windows("compression_lows") {
                var item = try window.node.mapping()
                let depth = try item.optional("depth")?.quantity(.glucose) ?? 50
                configuration.compressionLows.append(
                    CGMSensor.CompressionLow(start: window.start, duration: window.duration, depth: depth))
            }
            for window in try windows("signal_losses") {
                configuration.signalLosses.append(CGMSensor.TimeWindow(start: window.start, duration: window.duration))
            }
            for window in try windows("sensor_errors") {
                configuration.sensorErrors.append(CGMSensor.TimeWindow(start: window.start, duration: window.duration))
            }
            do throws(ModelError) {
                try configuration.validate()
            } catch {
                throw reader.node.error(.badValue, error.message)
            }
            return configuration
        }

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

        func decodeFault(_ node: ProfileNode, channels: [ChannelSpec], clock: ClockSpec) throws(ProfileError)
            -> FaultSpec
        {
            var reader = try node.mapping()
            let typeNode = try reader.required("type")
            let typeText = try typeNode.string()
            guard let kind = FaultKind(rawValue: typeText) else {
                let known = FaultKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw typeNode.error(.badValue, "unknown fault type '\(typeText)' (known: \(known))")
            }
            let channelNode = try reader.required("channel")
            let channelName = try channelNode.string()
            guard let channel = channels.first(where: { $0.name == channelName }) else {
                throw channelNode.error(
                    .unknownReference,
                    "no channel '\(channelName)' (channels: \(channels.map(\.name).joined(separator: ", ")))")
            }
            let startNode = try reader.required("start")
            let start = try startNode.duration()
            if let end = clock.duration, start > end {
                throw startNode.error(
                    .pastEnd, "fault starts past the end of the profile (\(DurationText.format(end)))")
            }
            let duration = try reader.optional("duration")?.duration()
            if duration == 0 { throw node.error(.badValue, "duration must be positive") }
            var fault = FaultSpec(kind: kind, channel: channelName, start: start, duration: duration)
            fault.location = node.location
            let delta = Dimension.delta(of: channel.unit)
            func inUnit(_ value: Double) -> Double {
                channel.unit == .celsius ? SignalUnit.fahrenheit.convertDelta(value, to: .celsius) : value
            }
            switch kind {
            case .spike:
                fault.amount = inUnit(try reader.required("amount").quantity(delta))
            case .drift:
                fault.rate = inUnit(try reader.required("rate").quantity(delta))
            default:
                break
            }
            try reader.finish()
            return fault
        }

        func decodeDevice(_ node: ProfileNode?, channels: [ChannelSpec]) throws(ProfileError) -> DeviceSpec {
            let names = Set(channels.map(\.name))
            var device = DeviceSpec(
                protocolName: nil, pit: names.contains("pit") ? "pit" : nil,
                food: ["meat1", "meat2", "meat3", "meat4"].filter(names.contains),
                ambient: names.contains("ambient") ? "ambient" : nil,
                glucose: names.contains("glucose") ? "glucose" : nil)
            guard let node else { return device }
            var reader = try node.mapping()
            func channel(_ key: String) throws(ProfileError) -> String? {
                guard let valueNode = reader.optional(key) else { return nil }
                let name = try valueNode.string()
                guard names.contains(name) else { throw valueNode.error(.unknownReference, "no channel '\(name)'") }
                return name
            }
            device.protocolName = try reader.optional("protocol")?.string()
            if let pit = try channel("pit") { device.pit = pit }
            if let ambient = try channel("ambient") { device.ambient = ambient }
            if let glucose = try channel("glucose") { device.glucose = glucose }
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
}
