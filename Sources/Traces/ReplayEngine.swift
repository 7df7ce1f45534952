import SerialIO

/// Plays a `ReplayScript` as a device. A pure state machine: the runner
/// tells it the (monotonic) time and what the app wrote; it answers with
/// bytes to send, events and mismatches, and when to call `advance` next.
///
/// Timing: a send recorded `d` ns after the previous anchor goes out `d /
/// speed` ns after that anchor's wall time. The anchor is the start (or a
/// loop restart) and, with `match`, the moment each expectation was met, so
/// an answer keeps its recorded delay after the app's request.
///
/// Matching (`match: true`): an expectation blocks the script until the
/// app's writes equal the recorded bytes (chunking does not matter). On the
/// first differing byte a `ReplayMismatch` is emitted; the expectation is
/// then treated as met (the rest of it and the app's pending bytes are
/// dropped) so the replay can go on unless the runner stops it (`--strict`).
/// Without `match`, expectations are skipped and app writes ignored.
///
/// Line settings: each recorded `line …` event, when reached, becomes the
/// device's own line settings (`deviceLineSettings`; the runner applies
/// them to its endpoint). With `match` the app's line settings, as the
/// runner reports them through `appSetLineSettings(_:)`, are checked
/// against the recorded ones at each recorded `open` and `line` event (the
/// ones before the first recorded `open` are the device's starting state,
/// not the app's, and are not checked; a script without `open` checks them
/// all). A check is made `lineSettingsGrace` after the event's replay time,
/// so an app may set them up to that late; a later recorded check within
/// that window replaces it. An app that then has other settings is a
/// `ReplayMismatch` naming the expected and actual settings. Other events
/// (modem lines, break, …) are only passed on.
public struct ReplayEngine: Sendable {
    /// Replay settings.
    public struct Configuration: Sendable, Equatable {
        /// Time scale (2 = twice as fast). Must be > 0.
        public var speed: Double
        /// Wait for the app's writes to match the recorded ones.
        public var match: Bool
        /// Start again at the end.
        public var loop: Bool
        /// With `match`: how long (wall ns) after a recorded `open`/`line`
        /// event's replay time the app's line settings are checked.
        public var lineSettingsGrace: UInt64
        /// With `match`: compare only baud and stop bits (a PTY forces 8
        /// data bits and no parity, so an app's others cannot be seen).
        public var ignoresFraming: Bool

        /// Creates a configuration.
        public init(
            speed: Double = 1, match: Bool = false, loop: Bool = false, lineSettingsGrace: UInt64 = 250_000_000,
            ignoresFraming: Bool = false
        ) {
            self.speed = speed
            self.match = match
            self.loop = loop
            self.lineSettingsGrace = lineSettingsGrace
            self.ignoresFraming = ignoresFraming
        }
    }

    /// What the runner must do.
    public enum Action: Sendable, Equatable {
        /// Write these bytes to the app.
        case send([UInt8])
        /// A recorded event was reached, `recordedOffset` ns after the first
        /// step. For a `line …` event the device now has those settings
        /// (`deviceLineSettings`): the runner applies them to its endpoint.
        case event(TraceEvent, recordedOffset: UInt64)
        /// The app wrote something unexpected, or did not set the recorded line settings in time.
        case mismatch(ReplayMismatch)
        /// The script ended (not emitted when looping).
        case finished
    }

    /// The script.
    public let script: ReplayScript
    /// The settings.
    public let configuration: Configuration
    private var index = 0
    private var anchorRecorded: UInt64 = 0
    private var anchorWall: UInt64 = 0
    private var started = false
    private var appBuffer: [UInt8] = []
    private var appBufferOffset = 0
    private var expectProgress = 0
    private var finishedReported = false
    /// A line-settings check waiting for its deadline.
    private struct LineCheck: Sendable {
        var expected: LineSettings
        var stepIndex: Int
        var recorded: UInt64
        var deadline: UInt64
    }
    private var pendingLineCheck: LineCheck?
    /// Line settings of recorded events are checked (after the first recorded `open`).
    private var checkingLineSettings = false
    /// The app's line settings as last reported (nil: not known).
    public private(set) var appLineSettings: LineSettings?
    /// The device's line settings: the last recorded `line` event reached,
    /// at first the script's first one (nil: the script has none).
    public private(set) var deviceLineSettings: LineSettings?
    /// Every mismatch so far.
    public private(set) var mismatches: [ReplayMismatch] = []
    /// Times the script restarted (with `loop`).
    public private(set) var loops = 0

    /// Creates an engine; call `start(now:)` when the app opened the port.
    public init(script: ReplayScript, configuration: Configuration = Configuration()) {
        self.script = script
        self.configuration = configuration
        deviceLineSettings = script.initialLineSettings
    }

    /// True once the script ended (never with `loop` unless the script is empty).
    public var isFinished: Bool {
        started && index >= script.steps.count && pendingLineCheck == nil && !configuration.loop
    }

    /// Tells the engine the app's current line settings (e.g. read from the
    /// PTY before each `advance`). Checked only at recorded events' deadlines.
    public mutating func appSetLineSettings(_ settings: LineSettings) {
        appLineSettings = settings
    }

    /// Starts (or restarts) the clock at `now`; returns what is due at once.
    public mutating func start(now: UInt64) -> [Action] {
        started = true
        index = 0
        expectProgress = 0
        restartLineChecks()
        anchor(recorded: script.steps.first?.time ?? 0, wall: now)
        return advance(now: now)
    }

    /// The monotonic time at which `advance` has something to do; nil when
    /// waiting for the app (or finished).
    public var nextDeadline: UInt64? {
        guard started else { return nil }
        let check = pendingLineCheck?.deadline
        guard index < script.steps.count else { return check }
        let step: UInt64?
        switch script.steps[index] {
        case .send(_, let at), .event(_, let at): step = wallTime(of: at)
        case .expect: step = configuration.match ? nil : anchorWall
        }
        guard let step else { return check }
        return min(step, check ?? step)
    }

    /// Records the app's bytes and returns what follows from them.
    public mutating func appWrote(_ bytes: [UInt8], now: UInt64) -> [Action] {
        guard configuration.match, !bytes.isEmpty else { return advance(now: now) }
        appBuffer += bytes
        var actions = advance(now: now)
        if isFinished, !appBuffer.isEmpty {
            let mismatch = ReplayMismatch(
                stepIndex: script.steps.count, streamOffset: appBufferOffset, offsetInStep: 0,
                recordedOffset: (script.steps.last?.time ?? 0) &- (script.steps.first?.time ?? 0), expected: [],
                actual: Array(appBuffer.prefix(32)))
            consumeApp(appBuffer.count)
            mismatches.append(mismatch)
            actions.append(.mismatch(mismatch))
        }
        return actions
    }

    /// Runs every step due at `now`.
    public mutating func advance(now: UInt64) -> [Action] {
        guard started else { return [] }
        var actions: [Action] = []
        while true {
            if let check = pendingLineCheck, now >= check.deadline {
                runLineCheck(check, into: &actions)
            }
            if index >= script.steps.count {
                if pendingLineCheck != nil { return actions }
                if configuration.loop, !script.steps.isEmpty {
                    loops += 1
                    index = 0
                    restartLineChecks()
                    anchor(recorded: script.steps[0].time, wall: now)
                    continue
                }
                if !finishedReported {
                    finishedReported = true
                    actions.append(.finished)
                }
                return actions
            }
            switch script.steps[index] {
            case .send(let bytes, let at):
                guard now >= wallTime(of: at) else { return actions }
                actions.append(.send(bytes))
                index += 1
            case .event(let event, let at):
                let due = wallTime(of: at)
                guard now >= due else { return actions }
                actions.append(.event(event, recordedOffset: at &- (script.steps.first?.time ?? 0)))
                reached(event, stepIndex: index, recorded: at, due: due, actions: &actions)
                index += 1
            case .expect(let expected, let at):
                guard configuration.match else {
                    index += 1
                    continue
                }
                while expectProgress < expected.count, !appBuffer.isEmpty {
                    if appBuffer[0] == expected[expectProgress] {
                        consumeApp(1)
                        expectProgress += 1
                    } else {
                        let mismatch = ReplayMismatch(
                            stepIndex: index, streamOffset: appBufferOffset, offsetInStep: expectProgress,
                            recordedOffset: at &- (script.steps.first?.time ?? 0),
                            expected: Array(expected[expectProgress...].prefix(32)),
                            actual: Array(appBuffer.prefix(32)))
                        mismatches.append(mismatch)
                        actions.append(.mismatch(mismatch))
                        consumeApp(appBuffer.count)
                        expectProgress = expected.count
                    }
                }
                guard expectProgress >= expected.count else { return actions }
                expectProgress = 0
                index += 1
                anchor(recorded: at, wall: now)
            }
        }
    }

    /// Applies a recorded event: line settings go to the device; with
    /// `match`, `open` and `line` events schedule a check of the app's.
    private mutating func reached(
        _ event: TraceEvent, stepIndex: Int, recorded: UInt64, due: UInt64, actions: inout [Action]
    ) {
        var expected: LineSettings?
        switch event {
        case .lineSettings:
            deviceLineSettings = event.settings
            expected = checkingLineSettings ? deviceLineSettings : nil
        case .open:
            checkingLineSettings = true
            expected = deviceLineSettings
        default:
            break
        }
        guard configuration.match, let expected else { return }
        // An earlier check whose deadline passed before this event is made first; a later one is replaced.
        if let check = pendingLineCheck, check.deadline <= due { runLineCheck(check, into: &actions) }
        pendingLineCheck = LineCheck(
            expected: expected, stepIndex: stepIndex, recorded: recorded,
            deadline: due + configuration.lineSettingsGrace)
    }

    private mutating func runLineCheck(_ check: LineCheck, into actions: inout [Action]) {
        pendingLineCheck = nil
        guard let actual = appLineSettings, !same(check.expected, actual) else { return }
        let mismatch = ReplayMismatch(
            stepIndex: check.stepIndex, streamOffset: appBufferOffset,
            recordedOffset: check.recorded &- (script.steps.first?.time ?? 0), expectedLineSettings: check.expected,
            actualLineSettings: actual)
        mismatches.append(mismatch)
        actions.append(.mismatch(mismatch))
    }

    private func same(_ expected: LineSettings, _ actual: LineSettings) -> Bool {
        guard configuration.ignoresFraming else { return expected == actual }
        return expected.baud == actual.baud && expected.stopBits == actual.stopBits
    }

    private mutating func restartLineChecks() {
        pendingLineCheck = nil
        checkingLineSettings = !script.steps.contains { step in
            if case .event(.open, _) = step { return true }
            return false
        }
    }

    private mutating func consumeApp(_ count: Int) {
        appBuffer.removeFirst(count)
        appBufferOffset += count
    }

    private mutating func anchor(recorded: UInt64, wall: UInt64) {
        anchorRecorded = recorded
        anchorWall = wall
    }

    private func wallTime(of recorded: UInt64) -> UInt64 {
        guard recorded > anchorRecorded else { return anchorWall }
        return anchorWall + UInt64(Double(recorded - anchorRecorded) / configuration.speed)
    }
}
