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
public struct ReplayEngine: Sendable {
    /// Replay settings.
    public struct Configuration: Sendable, Equatable {
        /// Time scale (2 = twice as fast). Must be > 0.
        public var speed: Double
        /// Wait for the app's writes to match the recorded ones.
        public var match: Bool
        /// Start again at the end.
        public var loop: Bool

        /// Creates a configuration.
        public init(speed: Double = 1, match: Bool = false, loop: Bool = false) {
            self.speed = speed
            self.match = match
            self.loop = loop
        }
    }

    /// What the runner must do.
    public enum Action: Sendable, Equatable {
        /// Write these bytes to the app.
        case send([UInt8])
        /// A recorded event was reached (the runner may apply line settings).
        case event(TraceEvent)
        /// The app wrote something unexpected.
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
    /// Every mismatch so far.
    public private(set) var mismatches: [ReplayMismatch] = []
    /// Times the script restarted (with `loop`).
    public private(set) var loops = 0

    /// Creates an engine; call `start(now:)` when the app opened the port.
    public init(script: ReplayScript, configuration: Configuration = Configuration()) {
        self.script = script
        self.configuration = configuration
    }

    /// True once the script ended (never with `loop` unless the script is empty).
    public var isFinished: Bool { started && index >= script.steps.count && !configuration.loop }

    /// Starts (or restarts) the clock at `now`; returns what is due at once.
    public mutating func start(now: UInt64) -> [Action] {
        started = true
        index = 0
        expectProgress = 0
        anchor(recorded: script.steps.first?.time ?? 0, wall: now)
        return advance(now: now)
    }

    /// The monotonic time at which `advance` has something to do; nil when
    /// waiting for the app (or finished).
    public var nextDeadline: UInt64? {
        guard started, index < script.steps.count else { return nil }
        switch script.steps[index] {
        case .send(_, let at), .event(_, let at): return wallTime(of: at)
        case .expect: return configuration.match ? nil : anchorWall
        }
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
            if index >= script.steps.count {
                if configuration.loop, !script.steps.isEmpty {
                    loops += 1
                    index = 0
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
                guard now >= wallTime(of: at) else { return actions }
                actions.append(.event(event))
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
