/// Where `devbridge attach` connects.
public enum AttachURL: Sendable, Equatable, CustomStringConvertible {
    /// `rfc2217://HOST:PORT`: telnet + COM-PORT-OPTION; serial settings travel.
    case rfc2217(host: String, port: Int)
    /// `tcp://HOST:PORT`: raw bytes.
    case tcp(host: String, port: Int)
    /// A local byte-stream device such as `/dev/virtio-ports/NAME` (raw bytes, no networking).
    case device(path: String)

    /// Parses `rfc2217://HOST:PORT`, `tcp://HOST:PORT`, `/path` or `file:///path`.
    public init(parsing text: String) throws(SerialBridgeError) {
        if text.hasPrefix("/") {
            self = .device(path: text)
            return
        }
        if text.hasPrefix("file://") {
            self = .device(path: String(text.dropFirst("file://".count)))
            return
        }
        let parts = text.split(separator: "://", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw SerialBridgeError(
                code: .invalidURL,
                message: "expected rfc2217://HOST:PORT, tcp://HOST:PORT or a device path, got '\(text)'")
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
        }
    }
}
