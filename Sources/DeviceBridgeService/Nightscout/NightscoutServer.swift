import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A Nightscout API server on a loopback address: a `Service` that runs a Hummingbird
/// application with ``NightscoutRoutes`` until cancelled or graceful shutdown.
///
/// Used by `devbridge sim --nightscout 127.0.0.1:PORT`; the service's own HTTP listener
/// mounts ``NightscoutRoutes`` instead.
public struct NightscoutServer: Service {
    /// Why an address is refused.
    public struct AddressError: Error, Sendable, CustomStringConvertible {
        public var code: String
        public var message: String
        public var description: String { message }
    }

    public let host: String
    public let port: Int
    public let routes: NightscoutRoutes
    private let logger: Logger
    private let onReady: @Sendable (_ host: String, _ port: Int) -> Void

    /// Creates a server on `host:port` (port 0: any free port, reported to `onReady`).
    public init(
        host: String, port: Int, routes: NightscoutRoutes, logger: Logger,
        onReady: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }
    ) {
        self.host = host
        self.port = port
        self.routes = routes
        self.logger = logger
        self.onReady = onReady
    }

    /// Parses `HOST:PORT` (or `[::1]:PORT`); only loopback hosts (127.0.0.0/8, `localhost`, `::1`).
    public static func parseAddress(_ text: String) throws(AddressError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw AddressError(code: "badAddress", message: "expected HOST:PORT, e.g. 127.0.0.1:17580, found '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        let isLoopbackV4 =
            octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
        guard isLoopbackV4 || host == "localhost" || host == "::1" else {
            throw AddressError(
                code: "notLoopback",
                message: "the Nightscout API listens on loopback only (127.0.0.1, ::1), found '\(host)'")
        }
        return (host, port)
    }

    public func run() async throws {
        let router = Router()
        routes.add(to: router)
        let host = host
        let onReady = onReady
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "devbridge-nightscout"),
            onServerRunning: { channel in onReady(host, channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.run()
    }
}
