/// Something that happened on an endpoint other than bytes: stored as a
/// packet on the trace's `events` interface (link type 148) whose data, and
/// `opt_comment`, are `"<interface name>: <text>"`.
///
/// Text forms (one line, ASCII): `open`, `close`, `hangup`, `reset`,
/// `line 9600 8N1`, `modem dtr=1 rts=0`, `break`, `note <free text>`.
public enum TraceEvent: Sendable, Equatable, CustomStringConvertible {
    /// A client opened the port (DTR rises on a real port).
    case open
    /// The last client closed the port.
    case close
    /// The device went away (unplugged, EIO/HUP on read).
    case hangup
    /// The device was reset (e.g. a board reset on open).
    case reset
    /// The line settings changed: baud, data bits, parity letter (N/O/E/M/S), stop bits.
    case lineSettings(baud: Int, dataBits: Int, parity: Character, stopBits: Int)
    /// Modem control lines changed (nil: unchanged or unknown).
    case modemLines(dtr: Bool?, rts: Bool?)
    /// A break condition was sent.
    case breakSignal
    /// Free text.
    case note(String)

    /// The one-line text form.
    public var description: String {
        switch self {
        case .open: "open"
        case .close: "close"
        case .hangup: "hangup"
        case .reset: "reset"
        case .lineSettings(let baud, let dataBits, let parity, let stopBits):
            "line \(baud) \(dataBits)\(parity)\(stopBits)"
        case .modemLines(let dtr, let rts):
            (["modem"] + [dtr.map { "dtr=\($0 ? 1 : 0)" }, rts.map { "rts=\($0 ? 1 : 0)" }].compactMap { $0 })
                .joined(separator: " ")
        case .breakSignal: "break"
        case .note(let text): "note \(text)"
        }
    }

    /// Parses the text form; unknown text becomes `.note(text)`.
    public init(text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch words.first {
        case "open": self = .open
        case "close": self = .close
        case "hangup": self = .hangup
        case "reset": self = .reset
        case "break": self = .breakSignal
        case "line" where words.count == 3:
            let framing = Array(words[2])
            if let baud = Int(words[1]), framing.count == 3, let data = Int(String(framing[0])),
                let stop = Int(String(framing[2]))
            {
                self = .lineSettings(baud: baud, dataBits: data, parity: framing[1], stopBits: stop)
            } else {
                self = .note(text)
            }
        case "modem":
            var dtr: Bool?
            var rts: Bool?
            for word in words.dropFirst() {
                if word.hasPrefix("dtr=") { dtr = word.hasSuffix("1") }
                if word.hasPrefix("rts=") { rts = word.hasSuffix("1") }
            }
            self = .modemLines(dtr: dtr, rts: rts)
        case "note": self = .note(String(text.dropFirst(5)))
        default: self = .note(text)
        }
    }

    /// `"<interface>: <text>"`, the data of an event packet.
    public func payload(interface: String) -> String { "\(interface): \(description)" }

    /// Splits an event packet's data into interface name and event.
    public static func parse(payload: [UInt8]) -> (interface: String, event: TraceEvent) {
        let text = String(decoding: payload, as: UTF8.self)
        let scalars = Array(text.unicodeScalars)
        for index in scalars.indices.dropLast() where scalars[index] == ":" && scalars[index + 1] == " " {
            var name = String.UnicodeScalarView()
            name.append(contentsOf: scalars[..<index])
            var rest = String.UnicodeScalarView()
            rest.append(contentsOf: scalars[(index + 2)...])
            return (String(name), TraceEvent(text: String(rest)))
        }
        return ("", TraceEvent(text: text))
    }
}
