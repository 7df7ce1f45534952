/// Parses one-line event commands, as typed on `devbridge sim`'s stdin:
///
/// ```
/// lid_open duration=90s
/// setpoint 250F            # a bare value fills the event's first parameter
/// wrap meat1               # a bare name is the target, for events that take one
/// meal 60g bolus=5U
/// spike amount=150mg/dL
/// ```
public enum EventCommand {
    /// A problem with a command line, phrased for a person at a terminal.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Parses `line` into an event with parameters in canonical units.
    public static func parse(_ line: String) throws(Failure) -> ModelEvent {
        let tokens = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let name = tokens.first else { throw Failure(message: "empty command") }
        guard let type = EventCatalog.type(named: name) else {
            let known = EventCatalog.all.map(\.name).joined(separator: ", ")
            throw Failure(message: "unknown event '\(name)' (known: \(known))")
        }
        var event = ModelEvent(name)
        var positional = type.parameters.makeIterator()
        for token in tokens.dropFirst() {
            let key: String
            let value: String
            if let equals = token.firstIndex(of: "=") {
                key = String(token[..<equals])
                value = String(token[token.index(after: equals)...])
            } else if type.takesTarget && event.target == nil && token.first?.isLetter == true {
                event.target = token
                continue
            } else if let next = positional.next() {
                key = next.name
                value = token
            } else {
                throw Failure(message: "'\(name)' takes no more values (extra '\(token)')")
            }
            if key == "target" {
                guard type.takesTarget else { throw Failure(message: "'\(name)' takes no target") }
                event.target = value
                continue
            }
            guard let parameter = type.parameters.first(where: { $0.name == key }) else {
                let known = type.parameters.map(\.name).joined(separator: ", ")
                throw Failure(
                    message: "'\(name)' has no parameter '\(key)'" + (known.isEmpty ? "" : " (has: \(known))"))
            }
            switch Quantity.parse(value, dimension: parameter.dimension) {
            case .success(let number): event.parameters[key] = number
            case .failure(.missingUnit):
                throw Failure(message: "\(key)=\(value): missing unit (\(parameter.dimension.unitList))")
            case .failure:
                throw Failure(
                    message:
                        "\(key)=\(value) is not a \(parameter.dimension.name) such as \(parameter.dimension.example)")
            }
        }
        for parameter in type.parameters where parameter.required && event.parameters[parameter.name] == nil {
            throw Failure(
                message:
                    "'\(name)' needs \(parameter.name) (e.g. \(name) \(parameter.name)=\(parameter.dimension.example))")
        }
        return event
    }
}
