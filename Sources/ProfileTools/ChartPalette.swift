/// Colours and dash patterns for the chart.
///
/// Series colours are the Okabe–Ito palette, distinguishable with the common
/// forms of colour-blindness; after eight series the colours repeat with a
/// dash pattern so every series stays distinct.
enum ChartPalette {
    /// Series colours in assignment order (yellow last: weakest on white).
    static let series = [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#B8A000",
    ]
    /// Dash patterns used on the second, third… pass through the colours.
    static let dashes = ["", "8 4", "2 3", "10 3 2 3"]

    /// Colour of the series at global position `index`.
    static func color(_ index: Int) -> String { series[index % series.count] }

    /// Dash pattern (empty for solid) of the series at `index`.
    static func dash(_ index: Int) -> String { dashes[(index / series.count) % dashes.count] }

    static let text = "#222222"
    static let mutedText = "#555555"
    static let axis = "#888888"
    static let grid = "#E3E3E3"
    static let event = "#555555"
    static let fault = "#D62728"
    static let faultText = "#A50F15"
}
