import Foundation
import NIOCore

/// `GET /control/devices`.
struct DeviceList: Codable, Sendable {
    var devices: [DeviceSnapshot]
    var exports: [ExportSnapshot]
}

/// `GET /control/exports`.
struct ExportList: Codable, Sendable {
    var exports: [ExportSnapshot]
}

/// `GET /readyz`.
struct ReadyBody: Codable, Sendable {
    var ready: Bool
    /// Devices that should run but do not (starting, restarting or failed).
    var notRunning: [String]
}

/// Every error body: `{"error": {"code": "not-found", "message": "…"}}`.
struct ErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        var code: String
        var message: String
    }
    var error: Detail
}

/// `POST …/events` reply.
struct EventAccepted: Codable, Sendable {
    var device: String
    /// The event as one command line.
    var command: String
}

/// `POST …/clock/speed` body.
struct SpeedRequest: Codable, Sendable {
    /// Virtual seconds per wall second.
    var speed: Double
}

/// `POST …/clock/advance` body.
struct AdvanceRequest: Codable, Sendable {
    /// A duration such as `90s`, `15m`, `3h`.
    var duration: String
}

/// `POST …/events` body: either a command line or a type with parameters.
struct EventRequest: Decodable, Sendable {
    /// A parameter value: text with a unit (`90s`, `250F`) or a plain number.
    enum Value: Decodable, Sendable {
        case text(String)
        case number(Double)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        var text: String {
            switch self {
            case .text(let text): text
            case .number(let number): number == number.rounded() ? String(Int(number)) : String(number)
            }
        }
    }

    var command: String?
    var type: String?
    var target: String?
    var parameters: [String: Value]?

    static func decode(_ body: ByteBuffer?) throws(ServiceError) -> EventRequest {
        guard let body, body.readableBytes > 0 else {
            throw ServiceError(.badRequest, "a JSON body is required, e.g. {\"command\": \"lid_open duration=90s\"}")
        }
        do {
            return try JSONDecoder().decode(EventRequest.self, from: Data(body.readableBytesView))
        } catch {
            throw ServiceError(.badRequest, "invalid JSON body: \(ControlAPI.describe(error))")
        }
    }

    /// The event as one command line (what `devbridge sim` reads on stdin).
    func commandLine() throws(ServiceError) -> String {
        if let command {
            guard type == nil else { throw ServiceError(.badRequest, "give either command or type, not both") }
            guard !command.contains("\n") else { throw ServiceError(.badRequest, "command must be one line") }
            return command.trimmingCharacters(in: .whitespaces)
        }
        guard let type else {
            throw ServiceError(
                .badRequest, "give command (\"lid_open duration=90s\") or type (\"lid_open\") with parameters")
        }
        var words = [type]
        if let target { words.append("target=\(target)") }
        for (name, value) in (parameters ?? [:]).sorted(by: { $0.key < $1.key }) {
            let text = value.text
            guard !text.contains(where: \.isWhitespace), !name.contains(where: \.isWhitespace) else {
                throw ServiceError(.badRequest, "parameter \(name): values must not contain spaces")
            }
            words.append("\(name)=\(text)")
        }
        return words.joined(separator: " ")
    }
}
