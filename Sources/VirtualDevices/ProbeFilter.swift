/// One Smart Smoker probe channel as its firmware keeps it: the last five kept
/// samples, averaged, with a 50 °F jump filter once start-up is over.
///
/// Works in `Float` like the microcontroller. The filter drops a sample when
/// `abs(sample - newest) > 50`; every comparison with NaN is false, so a NaN
/// sample (open/shorted thermistor) is always kept and any sample following a
/// NaN is kept too.
struct ProbeFilter: Sendable, Equatable {
    /// Samples kept per probe and averaged.
    static let window = 5
    /// A sample further than this from the newest kept one is dropped (°F).
    static let maximumJump: Float = 50

    /// Kept samples, oldest first, at most ``window``.
    private(set) var samples: [Float] = []
    /// Samples offered since the last reset (kept or not).
    private(set) var offered = 0

    /// Offers one raw sample. The first ``window`` samples after a reset are the
    /// start-up and are kept unconditionally; later ones go through the jump filter.
    /// Returns whether the sample was kept.
    @discardableResult
    mutating func add(_ sample: Float) -> Bool {
        offered += 1
        if offered > Self.window, let newest = samples.last, abs(sample - newest) > Self.maximumJump {
            return false
        }
        samples.append(sample)
        if samples.count > Self.window { samples.removeFirst() }
        return true
    }

    /// Mean of the kept samples (summed oldest first, in `Float`); NaN when any is NaN
    /// or nothing was kept yet.
    var average: Float {
        guard !samples.isEmpty else { return .nan }
        var sum: Float = 0
        for sample in samples { sum += sample }
        return sum / Float(samples.count)
    }

    /// Forgets everything, as a reset of the microcontroller does.
    mutating func reset() {
        samples.removeAll(keepingCapacity: true)
        offered = 0
    }
}
