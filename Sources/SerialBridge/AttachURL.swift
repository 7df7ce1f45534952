/// Where `devbridge attach` connects.
public enum AttachURL: Sendable, Equatable, CustomStringConvertible {
    /// `rfc2217://HOST:PORT`: telnet + COM-PORT-OPTION; serial settings travel.
    case rfc2217(host: String, port: Int)
    /// `tcp://HOST:PORT`: raw bytes.
    case tcp(host: String, port: Int)
    /// A local byte-stream device such as `/dev/virtio-ports/NAME` (raw bytes, no networking).
    case device(path: String)
    /// `rfc2217:///dev/virtio-ports/NAME`: RFC 2217 over a local byte-stream device, so serial
    /// settings travel with no guest networking (the host side is `export --mode rfc2217`).
    case rfc2217Device(path: String)

    /// Whether serial settings travel (telnet + COM-PORT-OPTION on the connection).
    public var speaksRFC2217: Bool {
        switch self {
        case .rfc2217, .rfc2217Device: true
        case .tcp, .device: false
        }
    }

    /// Parses `rfc2217://HOST:PORT`, `tcp://HOST:PORT`, `/path`, `file:///path` or `rfc2217:///path`.
    public init(parsing text: String) throws(SerialBridgeError) {
        if text.hasPrefix("/") {
            self = .device(path: text)
            return
        }
        if text.hasPrefix("file://") {
            self = .device(path: String(text.dropFirst("file://".count)))
            return
        }
        if text.hasPrefix("rfc2217:///") {
            self = .rfc2217Device(path: String(text.dropFirst("rfc2217://".count)))
            return
        }
        let parts = text.split(separator: "://", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw SerialBridgeError(
                code: .invalidURL,
                message:
                    "expected rfc2217://HOST:PORT, tcp://HOST:PORT, a device path or rfc2217:///DEVICE, got '\(text)'")
        }
        let (host, port) = try Self.hostPort(parts[1], in: text)
        switch parts[0] {
        case "rfc2217": self = .rfc2217(host: host, port: port)
        case "tcp", "socket", "raw": self = .tcp(host: host, port: port)
        default:
            throw SerialBridgeError(
                code: .invalidURL, message: "unknown scheme '\(parts[0])' in '\(text)' (use rfc2217 or tcp)")
        }
    }

    /// Splits HOST:PORT (IPv6 as [::1]:PORT).
    public static func hostPort(_ text: String, in whole: String? = nil) throws(SerialBridgeError) -> (String, Int) {
        var body = Substring(text)
        if let slash = body.firstIndex(of: "/") { body = body[..<slash] }
        guard let colon = body.lastIndex(of: ":"), let port = Int(body[body.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw SerialBridgeError(code: .invalidURL, message: "expected HOST:PORT in '\(whole ?? text)'")
        }
        var host = String(body[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
        return (host, port)
    }

    /// The URL text.
    public var description: String {
        switch self {
        case .rfc2217(let host, let port): "rfc2217://\(host):\(port)"
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        case .device(let path): path
        case .rfc2217Device(let path): "rfc2217://\(path)"
        }
    }
}
