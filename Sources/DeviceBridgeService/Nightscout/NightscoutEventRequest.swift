import Foundation
import Simulation

/// The body of `POST /api/v1/devbridge/events`, turned into a ``ModelEvent``.
///
/// Accepted bodies:
/// - JSON with a command line: `{"command": "spike amount=150mg/dL"}`
/// - JSON with a type and parameters: `{"type": "spike", "amount": "150mg/dL"}` (values are
///   strings with units, or plain numbers for unitless parameters)
/// - plain text: `spike amount=150mg/dL`
///
/// Parsing is the same as `devbridge sim`'s stdin (``EventCommand/parse(_:)``).
public enum NightscoutEventRequest {
    /// Why a body was refused (phrased for the client; HTTP 400).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var code: String
        public var message: String
        public var description: String { message }
    }

    /// The event command line of `body`.
    public static func commandLine(_ body: [UInt8]) throws(Failure) -> String {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw Failure(code: "emptyBody", message: "empty body") }
        guard text.first == "{" else { return text }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw Failure(code: "badJSON", message: "body is not a JSON object")
        }
        if let command = object["command"] as? String { return command }
        guard let type = object["type"] as? String else {
            throw Failure(code: "noType", message: "JSON body needs \"type\" (or \"command\")")
        }
        var tokens = [type]
        for key in object.keys.sorted() where key != "type" {
            let value = object[key]
            let text: String
            switch value {
            case let string as String: text = string
            case let number as NSNumber: text = number.stringValue
            default: throw Failure(code: "badValue", message: "\(key) must be a string or a number")
            }
            guard !text.contains(where: \.isWhitespace), !key.contains(where: \.isWhitespace) else {
                throw Failure(code: "badValue", message: "\(key) must not contain spaces")
            }
            tokens.append("\(key)=\(text)")
        }
        return tokens.joined(separator: " ")
    }

    /// The event of `body`.
    public static func event(_ body: [UInt8]) throws(Failure) -> ModelEvent {
        let line = try commandLine(body)
        do {
            return try EventCommand.parse(line)
        } catch {
            throw Failure(code: "badEvent", message: error.message)
        }
    }
}
