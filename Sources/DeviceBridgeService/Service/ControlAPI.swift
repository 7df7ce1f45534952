import Foundation
import Hummingbird
import NIOCore
import Simulation

/// The HTTP listener's routes: dashboard, health, metrics, OpenAPI document and the control API.
///
/// ```
/// GET  /                                    dashboard (HTML)
/// GET  /healthz  /readyz  /metrics  /openapi.json
/// GET  /control/devices                     every device and export, with state and counters
/// GET  /control/devices/{name}              one device's live state
/// POST /control/devices/{name}/events       {"command": "lid_open duration=90s"} or {"type": …, "parameters": {…}}
/// POST /control/devices/{name}/clock/pause | clock/resume
/// POST /control/devices/{name}/clock/speed  {"speed": 60}
/// POST /control/devices/{name}/clock/advance {"duration": "3h"}
/// POST /control/devices/{name}/start | stop
/// GET  /control/exports
/// POST /control/reload
/// GET  /control/stream                      server-sent events: one `sample` per device per interval
/// ```
/// Everything under /control needs `Authorization: Bearer TOKEN` when a token is configured
/// (or `?access_token=TOKEN`, for the dashboard's EventSource).
public enum ControlAPI {
    /// Adds every route to `router`.
    public static func addRoutes(
        to router: Router<BasicRequestContext>, supervisor: DeviceSupervisor, state: ControlAPIState
    ) {
        router.get("/") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("/healthz") { _, _ in json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            let started = await supervisor.started
            let snapshots = await supervisor.snapshots()
            let notRunning = snapshots.filter { $0.status != .running && $0.status != .stopped }.map(\.name)
            let ready = started && notRunning.isEmpty
            return json(
                ReadyBody(ready: ready, notRunning: notRunning), status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            let text = await ServiceMetrics.render(supervisor: supervisor)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }

        let control = router.group("control").add(middleware: BearerTokenMiddleware(state: state))
        control.get("devices") { _, _ in
            await handle { () async throws(ServiceError) in
                json(DeviceList(devices: await supervisor.snapshots(), exports: await supervisor.exportSnapshots()))
            }
        }
        control.get("exports") { _, _ in
            await handle { () async throws(ServiceError) in
                json(ExportList(exports: await supervisor.exportSnapshots()))
            }
        }
        control.get("devices/:name") { _, context in
            await handle { () async throws(ServiceError) in
                let device = try await supervisor.device(named: name(context))
                return json(await device.snapshot())
            }
        }
        control.post("devices/:name/events") { request, context in
            var request = request
            let body = try? await request.collectBody(upTo: 64 * 1024)
            return await handle { () async throws(ServiceError) in
                let device = try await supervisor.device(named: name(context))
                let command = try EventRequest.decode(body).commandLine()
                let event: ModelEvent
                do throws(EventCommand.Failure) {
                    event = try EventCommand.parse(command)
                } catch {
                    throw ServiceError(.badRequest, error.message)
                }
                try device.inject(event, command: command)
                return json(EventAccepted(device: device.configuration.name, command: command), status: .accepted)
            }
        }
        control.post("devices/:name/clock/pause") { _, context in
            await clockAction(supervisor, context) { () throws(ServiceError) in .pause }
        }
        control.post("devices/:name/clock/resume") { _, context in
            await clockAction(supervisor, context) { () throws(ServiceError) in .resume }
        }
        control.post("devices/:name/clock/speed") { request, context in
            var request = request
            let body = try? await request.collectBody(upTo: 16 * 1024)
            return await clockAction(supervisor, context) { () throws(ServiceError) in
                .speed(try decodeBody(SpeedRequest.self, body).speed)
            }
        }
        control.post("devices/:name/clock/advance") { request, context in
            var request = request
            let body = try? await request.collectBody(upTo: 16 * 1024)
            return await clockAction(supervisor, context) { () throws(ServiceError) in
                let text = try decodeBody(AdvanceRequest.self, body).duration
                let seconds: Double
                do {
                    seconds = try DurationText.parse(text)
                } catch {
                    throw ServiceError(.badRequest, "'\(text)' is not a duration (examples: 90s, 15m, 3h, 1d)")
                }
                guard seconds > 0, seconds <= ClockAction.maximumAdvance else {
                    throw ServiceError(.badRequest, "advance by a positive duration of at most 30d, found '\(text)'")
                }
                return .advance(seconds: seconds)
            }
        }
        control.post("devices/:name/start") { _, context in
            await handle { () async throws(ServiceError) in
                let device = try await supervisor.device(named: name(context))
                await device.start()
                return json(await device.snapshot())
            }
        }
        control.post("devices/:name/stop") { _, context in
            await handle { () async throws(ServiceError) in
                let device = try await supervisor.device(named: name(context))
                await device.stop()
                return json(await device.snapshot())
            }
        }
        control.post("reload") { _, _ in
            await handle { () async throws(ServiceError) in
                guard let reload = state.reload else {
                    throw ServiceError(.conflict, "the service runs the embedded default: there is no file to reload")
                }
                do {
                    return json(try await reload())
                } catch let error as ServiceError {
                    throw error
                } catch {
                    throw ServiceError(.config, "\(error)")
                }
            }
        }
        control.get("stream") { request, _ in
            let only = request.uri.queryParameters.get("device").map { String($0) }
            let intervalMs =
                request.uri.queryParameters.get("interval").flatMap { Int($0) }.map { min(max($0, 50), 10_000) }
                ?? 1000
            let body = ResponseBody { writer in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                while !state.isShuttingDown && !Task.isCancelled {
                    for snapshot in await supervisor.snapshots() where only == nil || snapshot.name == only {
                        var sample = snapshot
                        sample.exports = []
                        let data = (try? encoder.encode(sample)) ?? Data("{}".utf8)
                        try await writer.write(
                            ByteBuffer(string: "event: sample\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
                    }
                    var waited = 0
                    while waited < intervalMs && !state.isShuttingDown {
                        try await Task.sleep(for: .milliseconds(50))
                        waited += 50
                    }
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
        }
    }

    // MARK: Helpers

    private static func name(_ context: BasicRequestContext) throws(ServiceError) -> String {
        guard let name = context.parameters.get("name") else { throw ServiceError(.badRequest, "missing device name") }
        return name
    }

    /// Applies the clock action the request asks for (embedded and process-isolated devices alike).
    private static func clockAction(
        _ supervisor: DeviceSupervisor, _ context: BasicRequestContext,
        _ action: @escaping @Sendable () throws(ServiceError) -> ClockAction
    ) async -> Response {
        await handle { () async throws(ServiceError) in
            let device = try await supervisor.device(named: name(context))
            try device.controlClock(try action())
            return json(await device.snapshot())
        }
    }

    private static func decodeBody<T: Decodable>(_ type: T.Type, _ body: ByteBuffer?) throws(ServiceError) -> T {
        guard let body, body.readableBytes > 0 else { throw ServiceError(.badRequest, "a JSON body is required") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw ServiceError(.badRequest, "invalid JSON body: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing key '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let context): context.debugDescription
        default: "\(error)"
        }
    }

    /// Runs a handler; a ``ServiceError`` becomes a JSON error response with its status.
    static func handle(_ body: () async throws(ServiceError) -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            return errorResponse(error)
        }
    }

    static func errorResponse(_ error: ServiceError) -> Response {
        json(
            ErrorBody(error: .init(code: error.code.rawValue, message: error.description)),
            status: HTTPResponse.Status(code: error.httpStatus, reasonPhrase: ""))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Requires the bearer token on the control API when one is configured.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let state: ControlAPIState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard state.token != nil else { return try await next(request, context) }
        var presented: String?
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            presented = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        } else if let query = request.uri.queryParameters.get("access_token") {
            presented = String(query)
        }
        guard state.accepts(presented) else {
            var response = ControlAPI.errorResponse(ServiceError(.unauthorized, "a valid bearer token is required"))
            response.headers[.wwwAuthenticate] = "Bearer realm=\"devbridge\""
            return response
        }
        return try await next(request, context)
    }
}
