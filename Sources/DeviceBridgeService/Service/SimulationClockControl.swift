import Synchronization

/// Maps wall time to a device's virtual time, and lets the control API pause,
/// resume, change the speed and jump ahead.
///
/// Virtual time is `anchorVirtual + (now - anchorWall) × factor` while running,
/// and `anchorVirtual` while paused. Every change re-anchors at the current
/// virtual time, so time never jumps backwards.
public final class SimulationClockControl: Sendable {
    /// A snapshot of the clock's settings.
    public struct Settings: Sendable, Equatable {
        /// Virtual seconds per wall second.
        public var factor: Double
        public var paused: Bool
    }

    private struct State {
        var factor: Double
        var paused: Bool
        var anchorWall: ContinuousClock.Instant
        var anchorVirtual: Double
    }

    private let clock = ContinuousClock()
    private let state: Mutex<State>

    /// A clock running at `factor` (1 = real time), optionally starting paused.
    public init(factor: Double = 1, paused: Bool = false) {
        state = Mutex(State(factor: factor, paused: paused, anchorWall: ContinuousClock().now, anchorVirtual: 0))
    }

    /// The current factor and pause state.
    public var settings: Settings { state.withLock { Settings(factor: $0.factor, paused: $0.paused) } }

    /// Anchors the clock at `virtualTime` now (the runner calls this when it starts emitting).
    public func start(virtualTime: Double) {
        let now = clock.now
        state.withLock { state in
            state.anchorWall = now
            state.anchorVirtual = virtualTime
        }
    }

    /// The virtual time now.
    public func virtualTime() -> Double {
        let now = clock.now
        return state.withLock { Self.current($0, now: now) }
    }

    /// Stops virtual time.
    public func pause() {
        let now = clock.now
        state.withLock { state in
            guard !state.paused else { return }
            state.anchorVirtual = Self.current(state, now: now)
            state.anchorWall = now
            state.paused = true
        }
    }

    /// Lets virtual time run again from where it stopped.
    public func resume() {
        let now = clock.now
        state.withLock { state in
            guard state.paused else { return }
            state.anchorWall = now
            state.paused = false
        }
    }

    /// Changes the speed. `factor` must be positive and finite.
    public func setFactor(_ factor: Double) throws(ServiceError) {
        guard factor > 0, factor.isFinite else {
            throw ServiceError(.badRequest, "speed must be a positive number, found \(factor)")
        }
        let now = clock.now
        state.withLock { state in
            state.anchorVirtual = Self.current(state, now: now)
            state.anchorWall = now
            state.factor = factor
        }
    }

    /// Moves virtual time forward by `seconds` (after the device itself was advanced).
    public func shift(by seconds: Double) {
        state.withLock { $0.anchorVirtual += seconds }
    }

    /// How long the runner sleeps between emissions: lines come at most every 0.5 virtual seconds.
    public var pollInterval: Double {
        state.withLock { state in state.paused ? 0.1 : min(0.25, max(0.002, 0.1 / state.factor)) }
    }

    private static func current(_ state: State, now: ContinuousClock.Instant) -> Double {
        guard !state.paused else { return state.anchorVirtual }
        let elapsed = now - state.anchorWall
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return state.anchorVirtual + seconds * state.factor
    }
}
