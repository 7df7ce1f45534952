/// Accumulates SVG markup line by line; attributes are written in sorted
/// key order and every value is XML-escaped, so output is deterministic.
struct SVGWriter {
    /// The markup written so far.
    private(set) var output = ""

    /// Appends pre-formed markup followed by a newline.
    mutating func raw(_ markup: String) {
        output += markup
        output += "\n"
    }

    /// Appends `<name …/>` or `<name …>text</name>` when `text` is given.
    mutating func element(_ name: String, _ attributes: [String: String] = [:], text: String? = nil) {
        var s = "<" + name
        for key in attributes.keys.sorted() {
            s += " \(key)=\"\(SVGText.escape(attributes[key]!))\""
        }
        if let text {
            s += ">" + SVGText.escape(text) + "</\(name)>"
        } else {
            s += "/>"
        }
        raw(s)
    }

    /// Appends a `<line>`.
    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, attributes: [String: String]) {
        var a = attributes
        a["x1"] = SVGText.number(x1)
        a["y1"] = SVGText.number(y1)
        a["x2"] = SVGText.number(x2)
        a["y2"] = SVGText.number(y2)
        element("line", a)
    }

    /// Appends a `<rect>`.
    mutating func rect(x: Double, y: Double, width: Double, height: Double, attributes: [String: String]) {
        var a = attributes
        a["x"] = SVGText.number(x)
        a["y"] = SVGText.number(y)
        a["width"] = SVGText.number(width)
        a["height"] = SVGText.number(height)
        element("rect", a)
    }

    /// Appends a `<text>` at (`x`, `y`).
    mutating func text(_ content: String, x: Double, y: Double, attributes: [String: String] = [:]) {
        var a = attributes
        a["x"] = SVGText.number(x)
        a["y"] = SVGText.number(y)
        element("text", a, text: content)
    }
}
