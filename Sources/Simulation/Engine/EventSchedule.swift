/// Turns a profile's events and random events into occurrences as time passes.
///
/// Offsets fire once; times of day fire once or daily; conditions fire once
/// (after their delay) when their signal crosses the threshold; random events
/// are drawn per day (daily) or once, from the schedule's own random stream,
/// so they are the same for the same seed.
struct EventSchedule: Sendable {
    struct Occurrence: Sendable {
        var time: Double
        var event: ModelEvent
        var label: String
    }

    private var pending: [Occurrence] = []
    private var conditions: [(spec: EventSpec, firedAt: Double?, done: Bool)] = []
    private let dailyEvents: [EventSpec]
    private let randomEvents: [RandomEventSpec]
    private let startTimeOfDay: Double
    private let random: SeededRandom
    /// Days (since start) already expanded into `pending`.
    private var expandedDays = -1
    private var onceRandomExpanded = false

    init(profile: Profile, random: SeededRandom) {
        self.random = random
        startTimeOfDay = profile.clock.startTimeOfDay
        var daily: [EventSpec] = []
        for spec in profile.events {
            switch spec.trigger {
            case .offset(let offset):
                pending.append(Occurrence(time: offset, event: spec.event, label: spec.label))
            case .timeOfDay(let timeOfDay, let isDaily):
                if isDaily {
                    daily.append(spec)
                } else {
                    var offset = timeOfDay - profile.clock.startTimeOfDay
                    if offset < 0 { offset += 86_400 }
                    pending.append(Occurrence(time: offset, event: spec.event, label: spec.label))
                }
            case .condition:
                conditions.append((spec, nil, false))
            }
        }
        dailyEvents = daily
        randomEvents = profile.randomEvents
        sortPending()
    }

    private mutating func sortPending() {
        pending.sort { $0.time < $1.time }
    }

    /// Expands daily and random events for every day up to `time`'s day (plus one ahead).
    private mutating func expand(through time: Double) {
        if !onceRandomExpanded {
            onceRandomExpanded = true
            for (index, spec) in randomEvents.enumerated() where !spec.daily {
                var stream = random.derived("random:\(index)")
                if stream.uniform() < spec.probability {
                    let at = stream.uniform(in: spec.window)
                    pending.append(occurrence(of: spec, at: at, random: &stream))
                }
            }
        }
        // Day d covers [d*86400 - startTimeOfDay, (d+1)*86400 - startTimeOfDay) in offsets.
        let lastDay = Int(((time + startTimeOfDay) / 86_400).rounded(.down)) + 1
        guard lastDay > expandedDays else { return }
        for day in (expandedDays + 1)...lastDay {
            let dayStart = Double(day) * 86_400 - startTimeOfDay
            for spec in dailyEvents {
                guard case .timeOfDay(let timeOfDay, _) = spec.trigger else { continue }
                let at = dayStart + timeOfDay
                if at >= 0 { pending.append(Occurrence(time: at, event: spec.event, label: spec.label)) }
            }
            for (index, spec) in randomEvents.enumerated() where spec.daily {
                var stream = random.derived("random:\(index):day:\(day)")
                guard stream.uniform() < spec.probability else { continue }
                let at = dayStart + stream.uniform(in: spec.window)
                if at >= 0 { pending.append(occurrence(of: spec, at: at, random: &stream)) }
            }
        }
        expandedDays = lastDay
        sortPending()
    }

    private func occurrence(of spec: RandomEventSpec, at time: Double, random: inout SeededRandom) -> Occurrence {
        var parameters: [String: Double] = [:]
        for key in spec.parameters.keys.sorted() {
            parameters[key] = spec.parameters[key]!.draw(&random)
        }
        let event = ModelEvent(spec.type, parameters: parameters, target: spec.target)
        return Occurrence(time: time, event: event, label: ProfileLoader.Decoder.label(for: event) + " (random)")
    }

    /// Occurrences due at or before `time`, removed from the schedule, in time order.
    mutating func due(at time: Double, signal: (String) -> Double?) -> [Occurrence] {
        expand(through: time)
        for index in conditions.indices where !conditions[index].done {
            let spec = conditions[index].spec
            guard case .condition(let condition) = spec.trigger else { continue }
            if conditions[index].firedAt == nil, let value = signal(condition.signal) {
                let crossed = condition.above.map { value >= $0 } ?? condition.below.map { value <= $0 } ?? false
                if crossed { conditions[index].firedAt = time }
            }
            if let firedAt = conditions[index].firedAt, time >= firedAt + condition.delay {
                conditions[index].done = true
                pending.append(Occurrence(time: time, event: spec.event, label: spec.label))
                sortPending()
            }
        }
        guard let first = pending.first, first.time <= time + 1e-9 else { return [] }
        let count = pending.firstIndex { $0.time > time + 1e-9 } ?? pending.count
        let result = Array(pending[..<count])
        pending.removeFirst(count)
        return result
    }

    /// Upcoming scheduled (not conditional) occurrences before `time`, for plots.
    mutating func upcoming(before time: Double) -> [Occurrence] {
        expand(through: time)
        return pending.filter { $0.time < time }
    }
}
