/// The text of `devbridge trace show`: one line per packet (time since the
/// first packet, interface, direction, length, hex, printable text) and one
/// per event. Pure.
public enum TraceDump {
    /// Formats `trace`; `bytesPerLine` splits long packets.
    public static func lines(_ trace: TraceFile, bytesPerLine: Int = 16) -> [String] {
        var lines: [String] = []
        let start = trace.records.first?.timestamp ?? 0
        lines.append(
            "# \(trace.records.count) packets; interfaces: \(trace.interfaces.map { "\($0.name) (linktype \($0.linkType))" }.joined(separator: ", "))"
        )
        lines.append(
            "# time since first packet (s), interface, direction (in = app→device, out = device→app), length, hex, text"
        )
        for record in trace.records {
            let time = TraceText.seconds(Double(record.timestamp &- start) / 1e9)
            if let (owner, event) = record.event {
                lines.append("\(time)  \(owner)  event  \(event)")
                continue
            }
            let chunks = stride(from: 0, to: max(record.data.count, 1), by: bytesPerLine).map {
                Array(record.data[$0..<min($0 + bytesPerLine, record.data.count)])
            }
            for (index, chunk) in chunks.enumerated() {
                let prefix =
                    index == 0
                    ? "\(time)  \(record.interface)  \(record.direction.shortName)  \(record.data.count)"
                    : String(repeating: " ", count: time.count) + "  …"
                lines.append("\(prefix)  \(TraceText.hex(chunk))  \(TraceText.quoted(chunk))")
            }
        }
        return lines
    }
}
