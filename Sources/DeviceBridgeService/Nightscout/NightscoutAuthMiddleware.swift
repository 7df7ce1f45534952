import Hummingbird
import NIOCore

/// Refuses requests whose `api-secret` header is not the secret's SHA-1 or SHA-512 hex:
/// `401` with a fixed body (`{"status":401,"message":"Unauthorized"}`), before any route runs.
public struct NightscoutAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The header Nightscout clients send (case-insensitive).
    public static var headerName: String { "api-secret" }

    public let secret: NightscoutSecret

    public init(secret: NightscoutSecret) {
        self.secret = secret
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let header = request.headers.first { $0.name.canonicalName == Self.headerName }?.value
        guard secret.accepts(header) else {
            return Response(
                status: .unauthorized,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":401,"message":"Unauthorized"}"#)))
        }
        return try await next(request, context)
    }
}
