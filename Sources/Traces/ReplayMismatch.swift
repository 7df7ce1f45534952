import SerialIO

/// The app wrote something other than what the trace recorded, or did not
/// set the recorded line settings in time.
public struct ReplayMismatch: Sendable, Equatable, CustomStringConvertible {
    /// What differed.
    public enum Kind: Sendable, Equatable {
        /// The app's bytes (`expected`, `actual`).
        case bytes
        /// The app's line settings at a recorded `open`/`line` event.
        case lineSettings(expected: LineSettings, actual: LineSettings)
    }

    /// What differed.
    public var kind: Kind
    /// Index of the script step (an expectation, or an `open`/`line` event) where it happened.
    public var stepIndex: Int
    /// Offset, in the app's whole write stream since replay start, of the first differing byte.
    public var streamOffset: Int
    /// Offset of that byte inside the expected chunk.
    public var offsetInStep: Int
    /// Recorded time of the expectation, ns after the first step.
    public var recordedOffset: UInt64
    /// The recorded bytes from the first difference on (at most 32).
    public var expected: [UInt8]
    /// What the app wrote from the first difference on (at most 32; empty: wrote past the end).
    public var actual: [UInt8]

    /// Creates a mismatch.
    public init(
        stepIndex: Int, streamOffset: Int, offsetInStep: Int, recordedOffset: UInt64, expected: [UInt8],
        actual: [UInt8]
    ) {
        self.kind = .bytes
        self.stepIndex = stepIndex
        self.streamOffset = streamOffset
        self.offsetInStep = offsetInStep
        self.recordedOffset = recordedOffset
        self.expected = expected
        self.actual = actual
    }

    /// Creates a line-settings mismatch: at the recorded event `stepIndex`
    /// (`recordedOffset` ns after the first step) the app had `actualLineSettings`.
    public init(
        stepIndex: Int, streamOffset: Int, recordedOffset: UInt64, expectedLineSettings: LineSettings,
        actualLineSettings: LineSettings
    ) {
        self.kind = .lineSettings(expected: expectedLineSettings, actual: actualLineSettings)
        self.stepIndex = stepIndex
        self.streamOffset = streamOffset
        self.offsetInStep = 0
        self.recordedOffset = recordedOffset
        self.expected = []
        self.actual = []
    }

    /// A multi-line report naming expected and actual bytes (or line settings) and where they occurred.
    public var description: String {
        let seconds = Double(recordedOffset) / 1e9
        if case .lineSettings(let expected, let actual) = kind {
            return """
                replay mismatch in line settings (step \(stepIndex), recorded at +\(TraceText.seconds(seconds)) s): the app did not set them in time
                  expected: \(expected)
                  actual:   \(actual)
                """
        }
        return """
            replay mismatch at app byte \(streamOffset) (step \(stepIndex), byte \(offsetInStep) of the recorded write at +\(TraceText.seconds(seconds)) s)
              expected: \(TraceText.hex(expected))  \(TraceText.quoted(expected))
              actual:   \(TraceText.hex(actual))  \(TraceText.quoted(actual))
            """
    }
}

/// Formatting helpers shared by reports and `trace show`.
public enum TraceText {
    /// `48 45 4c` (or `(none)`).
    public static func hex(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "(none)" }
        let digits: [Character] = Array("0123456789abcdef")
        return bytes.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0xF)]]) }.joined(separator: " ")
    }

    /// Printable ASCII in quotes, `\r`, `\n`, `\t`, other bytes as `\xNN`.
    public static func quoted(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes {
            switch byte {
            case 0x0A: text += "\\n"
            case 0x0D: text += "\\r"
            case 0x09: text += "\\t"
            case 0x22: text += "\\\""
            case 0x5C: text += "\\\\"
            case 0x20..<0x7F: text.append(Character(Unicode.Scalar(byte)))
            default: text += "\\x" + hex([byte])
            }
        }
        return text + "\""
    }

    /// Seconds with 6 decimals.
    public static func seconds(_ value: Double) -> String {
        let micro = Int64((value * 1e6).rounded())
        let sign = micro < 0 ? "-" : ""
        let magnitude = micro.magnitude
        let fraction = String(magnitude % 1_000_000)
        return "\(sign)\(magnitude / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
