import Hummingbird
import NIOCore

/// Lets a request through when its credentials allow it, before any route runs; otherwise
/// answers `401` with a fixed body (`{"status":401,"message":"Unauthorized"}`).
///
/// - Reads (`GET`, `HEAD`) need nothing when the default is ``NightscoutAuthDefault/readable``.
/// - Everything else needs the secret: the `api-secret` header or the `secret` query parameter
///   (the secret's SHA-1 or SHA-512 hex, as Nightscout clients send it), or, when the service has
///   one, its API token as `Authorization: Bearer …` or the `token` query parameter.
public struct NightscoutAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The header Nightscout clients send (case-insensitive).
    public static var headerName: String { "api-secret" }

    public let secret: NightscoutSecret
    public let authDefault: NightscoutAuthDefault
    /// A token accepted as well as the secret (nil: the secret only).
    public let token: String?

    public init(secret: NightscoutSecret, authDefault: NightscoutAuthDefault = .readable, token: String? = nil) {
        self.secret = secret
        self.authDefault = authDefault
        self.token = token
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let isRead = request.method == .get || request.method == .head
        guard (isRead && authDefault == .readable) || authorized(request) else {
            return Response(
                status: .unauthorized,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":401,"message":"Unauthorized"}"#)))
        }
        return try await next(request, context)
    }

    /// Whether the request carries the secret or the token.
    private func authorized(_ request: Request) -> Bool {
        let header = request.headers.first { $0.name.canonicalName == Self.headerName }?.value
        let query = request.uri.queryParameters
        if secret.accepts(header) || secret.accepts(query["secret"].map(String.init)) { return true }
        guard let token else { return false }
        let bearer = request.headers[.authorization].flatMap { value in
            value.hasPrefix("Bearer ") ? String(value.dropFirst(7)) : nil
        }
        return [bearer, query["token"].map(String.init)].contains(token)
    }
}
