import Foundation
import Hummingbird
import NIOCore
import Simulation
import VirtualDevices

/// The Nightscout v1 REST API over a ``CGMHistoryStore``, as routes on any Hummingbird router.
///
/// Mount it on the service's single HTTP listener:
///
/// ```swift
/// let store = CGMHistoryStore()          // subscribed to the device: CGMDevice(…, subscribers: [store.subscriber])
/// let routes = NightscoutRoutes(store: store, secret: NightscoutSecret("s3cret"),
///                               inject: { event in try runner.inject(event) })
/// let router = Router()
/// routes.add(to: router)                 // adds /api/v1/… (a group: other routes are untouched)
/// ```
///
/// Routes, all under `/api/v1`. Reads are open to anyone with the default ``NightscoutAuthDefault/readable``;
/// writes, and reads with ``NightscoutAuthDefault/denied``, need the secret (see
/// ``NightscoutAuthMiddleware``), and without it get `401` with a fixed body that reveals nothing:
/// - `GET entries.json`, `entries/sgv.json`, `entries/current.json` (also `.csv`, `.tsv`, `.txt`,
///   and `entries` / `entries/sgv` / `entries/current` as JSON): newest first; `count` (default 10,
///   0 = all), `find[date][$gte|$gt|$lte|$lt]` in epoch ms. `current` is the newest entry only.
/// - `GET status.json`: server status (name, version, `serverTimeEpoch` = newest entry's date),
///   and the settings clients read: units, thresholds, `authDefaultRoles`, enabled plugins.
/// - `GET treatments.json`, `devicestatus.json`, `profile.json`: empty arrays (asked by clients).
/// - `POST devbridge/events`: injects an event (see ``NightscoutEventRequest``) when `inject` is
///   set; `200 {"ok":true,…}`, `400` for a bad event, `404` when injection is off.
public struct NightscoutRoutes: Sendable {
    /// Applies an injected event to the running device.
    public typealias Injector = @Sendable (ModelEvent) throws -> Void

    /// Largest accepted event body (bytes).
    public static let maximumEventBody = 16 * 1024

    public let store: CGMHistoryStore
    public let secret: NightscoutSecret
    /// What clients may do without the secret.
    public let authDefault: NightscoutAuthDefault
    /// A token accepted as well as the secret (the service's API token), if any.
    public let token: String?
    /// Server name in `status.json`.
    public let name: String
    /// Event injection (nil: `POST devbridge/events` is not mounted).
    public let inject: Injector?

    /// Creates the routes over `store`, guarded by `secret` (and `token`) as `authDefault` says.
    public init(
        store: CGMHistoryStore, secret: NightscoutSecret, authDefault: NightscoutAuthDefault = .readable,
        token: String? = nil, name: String = "devbridge", inject: Injector? = nil
    ) {
        self.store = store
        self.secret = secret
        self.authDefault = authDefault
        self.token = token
        self.name = name
        self.inject = inject
    }

    /// Adds the `/api/v1` routes to `router` (a `Router` or a `RouterGroup`), behind the secret check.
    public func add<Methods: RouterMethods>(to router: Methods) {
        let api = router.group("api/v1").add(
            middleware: NightscoutAuthMiddleware<Methods.Context>(
                secret: secret, authDefault: authDefault, token: token))
        for format in NightscoutFormat.allCases {
            for kind in ["entries", "entries/sgv"] {
                let path = kind + format.pathSuffix
                api.get(RouterPath(path)) { request, _ in try self.entries(request, format: format, current: false) }
            }
            api.get(RouterPath("entries/current" + format.pathSuffix)) { request, _ in
                try self.entries(request, format: format, current: true)
            }
        }
        api.get("status.json") { _, _ in self.status() }
        for empty in ["treatments.json", "devicestatus.json", "profile.json"] {
            api.get(RouterPath(empty)) { _, _ in NightscoutRoutes.json("[]") }
        }
        if let inject {
            api.post("devbridge/events") { request, _ in
                try await self.injectEvent(request, inject)
            }
        }
    }

    private func entries(_ request: Request, format: NightscoutFormat, current: Bool) throws -> Response {
        var query: CGMHistory.Query
        do {
            query = try NightscoutQuery.parse(request.uri.query)
        } catch {
            return NightscoutRoutes.json(#"{"status":400,"message":"\#(error.message)"}"#, status: .badRequest)
        }
        if current { query.count = 1 }
        return format.response(store.query(query))
    }

    private func status() -> Response {
        let now = store.latest?.date ?? 0
        let body =
            #"{"status":"ok","name":\#(TextFormat.jsonString(name)),"version":"15.0.0-devbridge","serverTime":"\#(TextFormat.iso8601(epochMilliseconds: now, milliseconds: true))","#
            + #""serverTimeEpoch":\#(now),"apiEnabled":true,"careportalEnabled":false,"boluscalcEnabled":false,"#
            + #""settings":{"units":"mg/dl","timeFormat":24,"customTitle":"devbridge","#
            + #""authDefaultRoles":"\#(authDefault.rawValue)","enable":["bgnow","delta","direction","timeago"],"#
            + #""thresholds":{"bgHigh":260,"bgTargetTop":180,"bgTargetBottom":80,"bgLow":55}},"extendedSettings":{}}"#
        return NightscoutRoutes.json(body)
    }

    private func injectEvent(_ request: Request, _ inject: Injector) async throws -> Response {
        let buffer = try await request.body.collect(upTo: NightscoutRoutes.maximumEventBody)
        let body = Array(buffer.readableBytesView)
        let event: ModelEvent
        do {
            event = try NightscoutEventRequest.event(body)
            try inject(event)
        } catch let failure as NightscoutEventRequest.Failure {
            return NightscoutRoutes.error(failure.message)
        } catch let failure as ModelError {
            return NightscoutRoutes.error(failure.message)
        } catch {
            return NightscoutRoutes.error("\(error)")
        }
        let text = try String(decoding: JSONSerialization.data(withJSONObject: ["event": event.name]), as: UTF8.self)
        return NightscoutRoutes.json(#"{"ok":true,"#.appending(text.dropFirst()))
    }

    private static func error(_ message: String) -> Response {
        let text = (try? JSONSerialization.data(withJSONObject: ["error": message])).map {
            String(decoding: $0, as: UTF8.self)
        }
        return json(text ?? #"{"error":"bad request"}"#, status: .badRequest)
    }

    static func json(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// The representations of `entries`.
enum NightscoutFormat: CaseIterable, Sendable {
    case bare, json, csv, tsv, txt

    var pathSuffix: String {
        switch self {
        case .bare: ""
        case .json: ".json"
        case .csv: ".csv"
        case .tsv: ".tsv"
        case .txt: ".txt"
        }
    }

    func response(_ entries: [CGMEntry]) -> Response {
        switch self {
        case .bare, .json:
            return NightscoutRoutes.json("[" + entries.map(\.nightscoutJSON).joined(separator: ",") + "]")
        case .csv, .tsv, .txt:
            let separator = self == .csv ? "," : "\t"
            let text = entries.map { $0.textRow(separator: separator) + "\n" }.joined()
            let type = self == .csv ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8"
            return Response(
                status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
