/// Sensors between a true value and a reading (generic and CGM), and sensor faults.
extension ProfileLoader.Decoder {
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
}
