import Foundation
import Simulation

/// Fast-forwards a profile and emits samples at a fixed virtual interval,
/// as CSV or JSON Lines (`devbridge profile run`).
public struct ProfileRun: Sendable {
    /// Output formats.
    public enum Format: String, Sendable, CaseIterable {
        case csv
        case jsonl
    }

    public var profile: Profile
    public var seed: UInt64?
    /// Run length in virtual seconds.
    public var until: Double
    /// Sample interval in virtual seconds.
    public var every: Double

    public init(profile: Profile, seed: UInt64? = nil, until: Double, every: Double) {
        self.profile = profile
        self.seed = seed
        self.until = until
        self.every = every
    }

    /// One emitted row.
    public struct Row: Sendable {
        public var elapsed: Double
        public var readings: [Reading]
        /// CGM readings (trend arrow, delta) of `type: cgm` channels, aligned with `readings`.
        public var cgm: [CGMReading?]
        /// Labels of events applied since the previous row.
        public var events: [String]
    }

    /// Runs the simulation, calling `row` for each sample (t = 0, every, 2·every, … ≤ until).
    /// Returns the finished simulation (its log holds every applied event).
    @discardableResult
    public func run(_ row: (Row) throws -> Void) throws -> Simulation {
        var simulation = try Simulation(profile: profile, seed: seed)
        var loggedCount = 0
        var index = 0
        while true {
            let t = Double(index) * every
            if t > until + 1e-9 { break }
            simulation.advance(to: t)
            let newEvents = simulation.log[loggedCount...].map { entry in
                entry.error.map { "\(entry.label) (refused: \($0))" } ?? entry.label
            }
            loggedCount = simulation.log.count
            let cgm = profile.channels.map { $0.sensor.cgm == nil ? nil : simulation.cgmReading(of: $0.name) }
            try row(Row(elapsed: t, readings: simulation.readings, cgm: cgm, events: Array(newEvents)))
            index += 1
        }
        return simulation
    }

    /// The header line (CSV) for this profile: `elapsed_s,time,pit_F,…,events`.
    public func csvHeader() -> String {
        let columns = profile.channels.flatMap { channel in
            let value = channel.unit == .none ? channel.name : "\(channel.name)_\(Self.unitSuffix(channel.unit))"
            return channel.sensor.cgm == nil ? [value] : [value, "\(channel.name)_direction", "\(channel.name)_delta"]
        }
        return (["elapsed_s", "time"] + columns + ["events"]).joined(separator: ",")
    }

    /// Formats one row in `format`.
    public func format(_ row: Row, as format: Format) -> String {
        let timestamp = Self.isoTimestamp(profile.clock.startEpoch + row.elapsed)
        let values = zip(profile.channels, row.readings).map { channel, reading in
            (channel.name, reading.value.map { Self.fixed($0, decimals: Self.decimals(for: channel)) })
        }
        let trends = zip(profile.channels, row.cgm).map { channel, reading in
            channel.sensor.cgm == nil
                ? nil
                : (direction: reading?.direction.rawValue, delta: reading?.delta.map { Self.fixed($0, decimals: 1) })
        }
        switch format {
        case .csv:
            let cells = zip(values, trends).flatMap { value, trend in
                trend.map { [value.1 ?? "", $0.direction ?? "", $0.delta ?? ""] } ?? [value.1 ?? ""]
            }
            let events = row.events.joined(separator: "; ").replacingOccurrences(of: ",", with: " ")
            return ([Self.fixed(row.elapsed, decimals: 0), timestamp] + cells + [events]).joined(separator: ",")
        case .jsonl:
            var fields = ["\"elapsed_s\":\(Self.fixed(row.elapsed, decimals: 0))", "\"time\":\"\(timestamp)\""]
            for ((name, value), trend) in zip(values, trends) {
                fields.append(TextFormat.jsonString(name) + ":" + (value ?? "null"))
                if let trend {
                    fields.append(
                        TextFormat.jsonString(name + "_direction") + ":"
                            + (trend.direction.map(TextFormat.jsonString) ?? "null"))
                    fields.append(TextFormat.jsonString(name + "_delta") + ":" + (trend.delta ?? "null"))
                }
            }
            if !row.events.isEmpty {
                fields.append("\"events\":[" + row.events.map(TextFormat.jsonString).joined(separator: ",") + "]")
            }
            return "{" + fields.joined(separator: ",") + "}"
        }
    }

    static func unitSuffix(_ unit: SignalUnit) -> String {
        switch unit {
        case .percent: "pct"
        case .milligramsPerDeciliter: "mgdl"
        case .millimolesPerLiter: "mmoll"
        default: unit.rawValue
        }
    }

    /// Decimals shown for a channel: from its quantization step, else 2.
    static func decimals(for channel: ChannelSpec) -> Int {
        if channel.sensor.cgm != nil { return 0 }
        let q = channel.sensor.quantization
        guard q > 0 else { return 2 }
        var decimals = 0
        var scaled = q
        while decimals < 4 && abs(scaled - scaled.rounded()) > 1e-9 {
            scaled *= 10
            decimals += 1
        }
        return decimals
    }

    /// Locale-independent fixed-point formatting.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    /// `2026-06-06T06:00:00Z` for seconds since the epoch (UTC).
    public static func isoTimestamp(_ epoch: Double) -> String {
        TextFormat.iso8601(epochSeconds: epoch)
    }
}
