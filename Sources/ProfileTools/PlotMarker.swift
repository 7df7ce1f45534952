/// An event or fault to mark on the chart's time axis.
public struct PlotMarker: Sendable, Equatable {
    /// What the marker denotes; selects its style.
    public enum Kind: Sendable, Equatable {
        /// A scheduled or random profile event (lid open, wrap, meal…): dashed grey line.
        case event
        /// An injected fault (probe disconnect, dropout…): translucent red span.
        case fault
    }

    /// Marker kind.
    public var kind: Kind
    /// Short label printed above the panels.
    public var label: String
    /// Start time in seconds since the start of the run.
    public var start: Double
    /// End time in seconds, or `nil` for an instant.
    public var end: Double?

    /// Creates a marker; `end == nil` means an instant.
    public init(kind: Kind, label: String, start: Double, end: Double? = nil) {
        self.kind = kind
        self.label = label
        self.start = start
        self.end = end
    }
}
