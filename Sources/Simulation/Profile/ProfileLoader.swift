import Foundation

/// Loads and validates profiles from YAML.
///
/// Every problem is reported as a ``ProfileError`` naming the file, line,
/// column and key: unknown keys (with a did-you-mean), missing units, bad
/// values, negative durations, events past the end, references to channels
/// or model outputs that do not exist.
///
/// Pure: it reads no files. A profile that refers to a CSV series gets the
/// text through the ``ProfileSources`` its caller hands in (the service's
/// `ProfileFiles` reads them from disk); without one, such a reference is an error.
/// The decoder's sections live in `ProfileLoader+Channels.swift`,
/// `ProfileLoader+Sensors.swift`, `ProfileLoader+Events.swift` and `ProfileLoader+Device.swift`.
public enum ProfileLoader {
    /// Loads a shipped profile by name (`smoker-brisket`, `smoker-brisket.yaml` also works). No I/O.
    public static func shipped(_ name: String) throws(ProfileError) -> Profile {
        let name = name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name
        guard let yaml = ShippedProfiles.yaml(named: name) else {
            throw ProfileError(
                .notFound,
                "no shipped profile '\(name)' (shipped: \(ShippedProfiles.names.joined(separator: ", ")))")
        }
        return try parse(yaml: yaml, file: "<embedded \(name)>")
    }

    /// Parses profile YAML. `file` names the source in errors; `sources` reads the CSV files
    /// the profile refers to (nil: a CSV reference is an error, so nothing is ever read).
    public static func parse(yaml: String, file: String, sources: ProfileSources? = nil) throws(ProfileError)
        -> Profile
    {
        let root = try ProfileNode.parse(yaml: yaml, file: file)
        var decoder = Decoder(file: file, sources: sources)
        return try decoder.decodeProfile(root)
    }

    struct Decoder {
        let file: String
        let sources: ProfileSources?

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
    }
}
