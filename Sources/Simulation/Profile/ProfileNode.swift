import Foundation
import Yams

/// A YAML node of a profile with its location and key path, so every error
/// can name the file, line, column and key at fault.
///
/// `ProfileNode` is a plain value tree built once from Yams' parser output.
/// Typed accessors (``string()``, ``duration()``, ``quantity(_:)``) throw
/// ``ProfileError`` with the node's location. Mapping access goes through
/// ``MappingReader``, which also reports unknown keys.
public struct ProfileNode: Sendable {
    /// The node's content.
    public enum Content: Sendable {
        case scalar(String, plain: Bool)
        case mapping([(key: String, keyNode: ProfileNode, value: ProfileNode)])
        case sequence([ProfileNode])
    }

    public var content: Content
    public var location: SourceLocation
    /// Key path from the document root, e.g. `channels.pit.sensor.noise`.
    public var path: String

    /// Parses YAML text. Syntax errors become ``ProfileError`` with the position.
    public static func parse(yaml: String, file: String) throws(ProfileError) -> ProfileNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ProfileError.fromYams(error, file: file)
        } catch {
            throw ProfileError(.syntax, "\(error)", location: SourceLocation(file: file, line: 1, column: 1))
        }
        guard let node else {
            throw ProfileError(.syntax, "the file is empty", location: SourceLocation(file: file, line: 1, column: 1))
        }
        return try ProfileNode(node, file: file, path: "")
    }

    private init(_ node: Node, file: String, path: String) throws(ProfileError) {
        let mark = node.mark
        location = SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        self.path = path
        switch node {
        case .scalar(let scalar):
            content = .scalar(scalar.string, plain: scalar.style == .plain || scalar.style == .any)
        case .sequence(let sequence):
            var items: [ProfileNode] = []
            for (index, item) in sequence.enumerated() {
                items.append(try ProfileNode(item, file: file, path: "\(path)[\(index)]"))
            }
            content = .sequence(items)
        case .mapping(let mapping):
            var pairs: [(key: String, keyNode: ProfileNode, value: ProfileNode)] = []
            for (keyNode, valueNode) in mapping {
                let keyLocation = SourceLocation(
                    file: file, line: keyNode.mark?.line ?? 1, column: keyNode.mark?.column ?? 1)
                guard let key = keyNode.string else {
                    throw ProfileError(.wrongType, "mapping keys must be strings", keyPath: path, location: keyLocation)
                }
                if pairs.contains(where: { $0.key == key }) {
                    throw ProfileError(
                        .badValue, "duplicate key '\(key)'", keyPath: Self.join(path, key), location: keyLocation)
                }
                let child = try ProfileNode(valueNode, file: file, path: Self.join(path, key))
                let keyProfileNode = ProfileNode(
                    content: .scalar(key, plain: true), location: keyLocation, path: Self.join(path, key))
                pairs.append((key, keyProfileNode, child))
            }
            content = .mapping(pairs)
        case .alias:
            throw ProfileError(.syntax, "YAML aliases are not supported in profiles", keyPath: path, location: location)
        }
    }

    private init(content: Content, location: SourceLocation, path: String) {
        self.content = content
        self.location = location
        self.path = path
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// An error located at this node.
    public func error(_ code: ProfileError.Code, _ message: String) -> ProfileError {
        ProfileError(code, message, keyPath: path, location: location)
    }

    /// A short human name of the node's kind, for error messages.
    var kindName: String {
        switch content {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    // MARK: Typed accessors

    /// The scalar text.
    public func string() throws(ProfileError) -> String {
        guard case .scalar(let text, _) = content else {
            throw error(.wrongType, "expected a value, found \(kindName)")
        }
        return text
    }

    /// A number with no unit.
    public func number() throws(ProfileError) -> Double {
        let text = try string().trimmingCharacters(in: .whitespaces)
        guard let value = Double(text), value.isFinite else {
            throw error(.badValue, "expected a number, found '\(text)'")
        }
        return value
    }

    /// An integer.
    public func integer() throws(ProfileError) -> Int {
        let text = try string().trimmingCharacters(in: .whitespaces)
        guard let value = Int(text) else {
            throw error(.badValue, "expected a whole number, found '\(text)'")
        }
        return value
    }

    /// A boolean (`true`/`false`/`yes`/`no`).
    public func bool() throws(ProfileError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw error(.badValue, "expected true or false, found '\(other)'")
        }
    }

    /// The list items.
    public func sequence() throws(ProfileError) -> [ProfileNode] {
        guard case .sequence(let items) = content else {
            throw error(.wrongType, "expected a list, found \(kindName)")
        }
        return items
    }

    /// A reader over this mapping's keys.
    public func mapping() throws(ProfileError) -> MappingReader {
        guard case .mapping(let pairs) = content else {
            throw error(.wrongType, "expected a mapping (key: value lines), found \(kindName)")
        }
        return MappingReader(node: self, pairs: pairs)
    }

    /// A duration such as `90s`, `2h30m`, `500ms`, `1d`. A unit is required.
    public func duration(allowNegative: Bool = false) throws(ProfileError) -> Double {
        let text = try string()
        do {
            let value = try DurationText.parse(text)
            if value < 0 && !allowNegative {
                throw error(.negativeDuration, "durations must not be negative, found '\(text)'")
            }
            return value
        } catch let failure as DurationText.Failure {
            switch failure {
            case .missingUnit:
                throw error(.missingUnit, "missing unit in '\(text)' (write e.g. \(text)s, \(text)m or \(text)h)")
            case .invalid:
                throw error(.badValue, "'\(text)' is not a duration (examples: 90s, 15m, 2h30m, 1d)")
            }
        } catch let profileError as ProfileError {
            throw profileError
        } catch {
            throw self.error(.badValue, "'\(text)' is not a duration")
        }
    }

    /// A physical quantity of the given dimension, converted to its canonical unit.
    public func quantity(_ dimension: Dimension) throws(ProfileError) -> Double {
        let text = try string()
        switch Quantity.parse(text, dimension: dimension) {
        case .success(let value): return value
        case .failure(.missingUnit):
            throw error(
                .missingUnit,
                "missing unit in '\(text)' (\(dimension.name) needs one of: \(dimension.unitList))")
        case .failure(.unknownUnit(let unit)):
            throw error(
                .badUnit, "unit '\(unit)' is not a unit of \(dimension.name) (use one of: \(dimension.unitList))")
        case .failure(.notANumber):
            throw error(.badValue, "'\(text)' is not a \(dimension.name) such as \(dimension.example)")
        }
    }
}

/// Reads the keys of one mapping and rejects the ones nobody asked for.
///
/// Call ``required(_:)`` / ``optional(_:)`` for each known key, then
/// ``finish()``: any key left over is reported as unknown, with a suggestion
/// when it looks like a typo of a known key.
public struct MappingReader: Sendable {
    public let node: ProfileNode
    let pairs: [(key: String, keyNode: ProfileNode, value: ProfileNode)]
    private var consumed: Set<String> = []
    private var known: [String] = []

    init(node: ProfileNode, pairs: [(key: String, keyNode: ProfileNode, value: ProfileNode)]) {
        self.node = node
        self.pairs = pairs
    }

    /// All keys in document order.
    public var keys: [String] { pairs.map(\.key) }

    /// The value of `key`, if present.
    public mutating func optional(_ key: String) -> ProfileNode? {
        known.append(key)
        guard let pair = pairs.first(where: { $0.key == key }) else { return nil }
        consumed.insert(key)
        return pair.value
    }

    /// The value of `key`; a clear error if it is missing.
    public mutating func required(_ key: String) throws(ProfileError) -> ProfileNode {
        guard let value = optional(key) else {
            throw node.error(.missingKey, "missing required key '\(key)'")
        }
        return value
    }

    /// Every remaining pair, marking them consumed (for open-ended mappings such as `channels`).
    public mutating func remaining() -> [(key: String, value: ProfileNode)] {
        let rest = pairs.filter { !consumed.contains($0.key) }
        for pair in rest { consumed.insert(pair.key) }
        return rest.map { ($0.key, $0.value) }
    }

    /// Throws for the first key that was never read.
    public func finish() throws(ProfileError) {
        for pair in pairs where !consumed.contains(pair.key) {
            var message = "unknown key '\(pair.key)'"
            if let suggestion = Self.closest(to: pair.key, in: known) {
                message += " (did you mean '\(suggestion)'?)"
            } else if !known.isEmpty {
                message += " (known keys here: \(known.joined(separator: ", ")))"
            }
            throw ProfileError(.unknownKey, message, keyPath: pair.keyNode.path, location: pair.keyNode.location)
        }
    }

    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, word.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = Swift.min(
                    previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension ProfileError {
    static func fromYams(_ error: YamlError, file: String) -> ProfileError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return ProfileError(
                .syntax, "YAML syntax: \(prefix)\(problem)",
                location: SourceLocation(file: file, line: mark.line, column: mark.column))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ProfileError(
                .badValue, "duplicate keys \(duplicates.joined(separator: ", "))",
                location: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        default:
            return ProfileError(.syntax, "YAML: \(error)", location: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}
