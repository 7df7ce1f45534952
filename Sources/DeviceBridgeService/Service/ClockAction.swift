/// A change to a device's simulation clock, asked for through the control API (or, for a
/// process-isolated device, sent to its child as a command line; see ``ChildDeviceProtocol``).
public enum ClockAction: Sendable, Equatable {
    /// Freeze virtual time.
    case pause
    /// Let virtual time run again.
    case resume
    /// Run at this factor of wall-clock time.
    case speed(Double)
    /// Jump virtual time forward by this many seconds.
    case advance(seconds: Double)
}

extension VirtualDeviceRunner {
    /// Applies `action` to the runner's clock.
    public func apply(_ action: ClockAction) throws(ServiceError) {
        try action.validate()
        switch action {
        case .pause: clock.pause()
        case .resume: clock.resume()
        case .speed(let factor): try clock.setFactor(factor)
        case .advance(let seconds): advance(by: seconds)
        }
    }
}

extension ClockAction {
    /// The longest single advance: 30 days.
    public static let maximumAdvance: Double = 30 * 86_400

    /// Refuses a speed that is not a positive number and an advance that is not positive or
    /// longer than ``maximumAdvance``.
    public func validate() throws(ServiceError) {
        switch self {
        case .pause, .resume: break
        case .speed(let factor):
            guard factor > 0, factor.isFinite else {
                throw ServiceError(.badRequest, "speed must be a positive number, found \(factor)")
            }
        case .advance(let seconds):
            guard seconds > 0, seconds <= Self.maximumAdvance else {
                throw ServiceError(.badRequest, "advance by a positive duration of at most 30d, found \(seconds) s")
            }
        }
    }
}
