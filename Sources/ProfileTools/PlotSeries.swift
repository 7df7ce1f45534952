import Simulation

/// One channel of a simulated profile, ready to be plotted.
///
/// `times` and `values` are parallel arrays; when their lengths differ the
/// extra elements of the longer one are ignored. A `nil` (or non-finite)
/// value is a gap — a disconnect or dropout — and breaks the drawn line.
public struct PlotSeries: Sendable, Equatable {
    /// Display name, shown in the legend (e.g. `Pit`, `Meat probe 1`).
    public var name: String
    /// Unit of `values`; series sharing a unit share a panel.
    public var unit: SignalUnit
    /// Sample times in seconds since the start of the run, ascending.
    public var times: [Double]
    /// Sample values; `nil` marks a gap.
    public var values: [Double?]

    /// Creates a series from parallel time and value arrays.
    public init(name: String, unit: SignalUnit, times: [Double], values: [Double?]) {
        self.name = name
        self.unit = unit
        self.times = times
        self.values = values
    }

    /// Number of usable (time, value) pairs.
    var count: Int { min(times.count, values.count) }

    /// The finite value at `index`, or `nil` for a gap.
    func finiteValue(at index: Int) -> Double? {
        guard let v = values[index], v.isFinite, times[index].isFinite else { return nil }
        return v
    }

    /// Legend text: the name followed by the unit label in parentheses, when there is one.
    var legendText: String {
        unit.label.isEmpty ? name : "\(name) (\(unit.label))"
    }
}
