import Foundation
import SerialBridge
import Simulation

/// Reads a ``ServiceConfiguration`` from YAML.
///
/// Errors name the file, line, column and key (`serve.yaml:7:5: devices.smoker.sped:
/// unknown key 'sped' (did you mean 'speed'?)`); they reuse the profile parser's located nodes.
public enum ServiceConfigurationLoader {
    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(ServiceError) -> ServiceConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ServiceError(.config, "cannot read the configuration file '\(path)'")
        }
        return try parse(yaml: text, file: path)
    }

    /// The embedded default configuration (``EmbeddedConfiguration/yaml``).
    public static func embeddedDefault() throws(ServiceError) -> ServiceConfiguration {
        try parse(yaml: EmbeddedConfiguration.yaml, file: EmbeddedConfiguration.source)
    }

    /// Parses configuration text; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws(ServiceError) -> ServiceConfiguration {
        do {
            return try decode(ProfileNode.parse(yaml: yaml, file: file), file: file)
        } catch {
            throw ServiceError(config: error)
        }
    }

    private static func decode(_ root: ProfileNode, file: String) throws(ProfileError) -> ServiceConfiguration {
        var reader = try root.mapping()
        var configuration = ServiceConfiguration(source: file)
        if let api = reader.optional("api") {
            configuration.api = try decodeAPI(api)
        }
        if let devices = reader.optional("devices") {
            var deviceReader = try devices.mapping()
            for (name, node) in deviceReader.remaining() {
                try checkName(name, node: node)
                configuration.devices.append(try decodeDevice(name: name, node))
            }
            try deviceReader.finish()
        }
        if let nightscout = reader.optional("nightscout") {
            var section = try nightscout.mapping()
            if let value = section.optional("auth_default") {
                let text = try value.string()
                guard let authDefault = NightscoutAuthDefault(rawValue: text) else {
                    throw value.error(.badValue, "auth_default must be readable or denied, found '\(text)'")
                }
                configuration.nightscout.authDefault = authDefault
            }
            try section.finish()
        }
        if let exports = reader.optional("exports") {
            var exportReader = try exports.mapping()
            for (name, node) in exportReader.remaining() {
                try checkName(name, node: node)
                configuration.hostExports.append(try decodeHostExport(name: name, node))
            }
            try exportReader.finish()
        }
        try reader.finish()
        try checkPorts(configuration, root: root)
        try checkNightscout(configuration, root: root)
        return configuration
    }

    private static func checkName(_ name: String, node: ProfileNode) throws(ProfileError) {
        let allowed = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        guard !name.isEmpty, allowed, name.first?.isLetter == true else {
            throw node.error(.badValue, "names must start with a letter and use letters, digits, '-' and '_'")
        }
    }

    private static func decodeAPI(_ node: ProfileNode) throws(ProfileError) -> APIConfiguration {
        var reader = try node.mapping()
        var api = APIConfiguration()
        if let listen = reader.optional("listen") { api.listen = try address(listen) }
        if let token = reader.optional("token") { api.token = try token.string() }
        if let secret = reader.optional("nightscout_secret") {
            api.nightscoutSecret = try secret.string()
            if api.nightscoutSecret!.count < 12 {
                throw secret.error(.badValue, "the Nightscout API secret must be at least 12 characters")
            }
        }
        if let tokenFile = reader.optional("token_file") {
            let path = try tokenFile.string()
            guard let data = FileManager.default.contents(atPath: path),
                let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
                !token.isEmpty
            else {
                throw tokenFile.error(.notFound, "cannot read a token from '\(path)'")
            }
            api.token = token
        }
        if let token = api.token, token.count < 16 {
            throw (reader.optional("token") ?? node).error(.badValue, "the token must be at least 16 characters")
        }
        if !api.listen.isLoopback && api.token == nil {
            throw (reader.optional("listen") ?? node).error(
                .missingKey,
                "listening on \(api.listen.host) (not loopback) needs a bearer token: set api.token or api.token_file")
        }
        try reader.finish()
        return api
    }

    private static func address(_ node: ProfileNode) throws(ProfileError) -> ListenAddress {
        let text = try node.string()
        guard let address = ListenAddress(text) else {
            throw node.error(.badValue, "expected HOST:PORT such as 127.0.0.1:7000, found '\(text)'")
        }
        return address
    }

    static let exportModes = ["raw", "rfc2217", "telnet"]

    private static func decodeExport(_ node: ProfileNode) throws(ProfileError) -> ExportSpec {
        var reader = try node.mapping()
        let modeNode = try reader.required("mode")
        let mode = try modeNode.string()
        guard exportModes.contains(mode) else {
            throw modeNode.error(
                .badValue, "unknown export mode '\(mode)' (use one of: \(exportModes.joined(separator: ", ")))")
        }
        let listen = try address(try reader.required("listen"))
        let busyPoll = try busyPollMicroseconds(reader.optional("busy_poll_us"))
        try reader.finish()
        return ExportSpec(mode: mode, listen: listen, busyPollMicroseconds: busyPoll)
    }

    /// `busy_poll_us`: 0 (never poll) up to the export's maximum.
    private static func busyPollMicroseconds(_ node: ProfileNode?) throws(ProfileError) -> Int? {
        guard let node else { return nil }
        let value = try node.integer()
        let maximum = Int(ExportConfiguration.maximumBusyPoll / .microseconds(1))
        guard (0...maximum).contains(value) else {
            throw node.error(
                .badValue, "busy_poll_us must be between 0 and \(maximum) microseconds, found \(value)")
        }
        return value
    }

    private static func decodeDevice(name: String, _ node: ProfileNode) throws(ProfileError)
        -> VirtualDeviceConfiguration
    {
        var reader = try node.mapping()
        let profileNode = try reader.required("profile")
        var device = VirtualDeviceConfiguration(name: name, profile: try profileNode.string())
        if let value = reader.optional("protocol") { device.protocolName = try value.string() }
        if let value = reader.optional("link") { device.link = try value.string() }
        if let value = reader.optional("speed") {
            let text = try value.string()
            guard let speed = SimulationSpeed(text) else {
                throw value.error(
                    .badValue, "speed must be a positive number (60 = a minute per second) or max, found '\(text)'")
            }
            device.speed = speed
        }
        if let value = reader.optional("paused") { device.paused = try value.bool() }
        if let value = reader.optional("seed") {
            let number = try value.integer()
            guard number >= 0 else { throw value.error(.badValue, "seed must not be negative") }
            device.seed = UInt64(number)
        }
        if let value = reader.optional("reset_on_open") { device.resetOnOpen = try value.bool() }
        if let value = reader.optional("baud_mismatch") { device.emulateBaudMismatch = try value.bool() }
        if let value = reader.optional("trace") { device.trace = try value.string() }
        if let value = reader.optional("nightscout") { device.nightscout = try value.bool() }
        if let value = reader.optional("autostart") { device.autostart = try value.bool() }
        let limitsNode = reader.optional("limits")
        if let value = reader.optional("isolation") {
            switch try value.string() {
            case "embedded":
                device.isolation = .embedded
            case "process":
                device.isolation = .process(
                    try limitsNode.map { node throws(ProfileError) in try decodeLimits(node) } ?? ProcessLimits())
            case let other:
                throw value.error(.badValue, "isolation must be embedded or process, found '\(other)'")
            }
        }
        if let limitsNode, device.isolation == .embedded {
            throw limitsNode.error(.badValue, "limits apply only to isolation: process")
        }
        if let value = reader.optional("exports") {
            for item in try value.sequence() { device.exports.append(try decodeExport(item)) }
        }
        try reader.finish()
        if case .process = device.isolation, device.speed == .max {
            throw node.error(.badValue, "speed: max is not supported with isolation: process")
        }
        return device
    }

    private static func decodeLimits(_ node: ProfileNode) throws(ProfileError) -> ProcessLimits {
        var reader = try node.mapping()
        var limits = ProcessLimits()
        if let value = reader.optional("memory") { limits.memoryBytes = try bytes(value) }
        if let value = reader.optional("cpu") {
            let seconds = try value.duration().rounded(.up)
            guard seconds <= Double(ProcessLimits.maximumCPUSeconds) else {
                throw value.error(.badValue, "cpu is at most \(ProcessLimits.maximumCPUSeconds / 86400) days")
            }
            limits.cpuSeconds = Int(seconds)
        }
        if let value = reader.optional("restart_backoff") { limits.initialBackoff = max(0.05, try value.duration()) }
        if let value = reader.optional("max_backoff") {
            limits.maxBackoff = max(limits.initialBackoff, try value.duration())
        }
        try reader.finish()
        return limits
    }

    /// `256M`, `1G`, `65536K` or a plain byte count.
    private static func bytes(_ node: ProfileNode) throws(ProfileError) -> Int {
        let text = try node.string().trimmingCharacters(in: .whitespaces).uppercased()
        let multipliers: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(text)
        var multiplier = 1
        if let last = text.last, let factor = multipliers[last] {
            multiplier = factor
            digits = digits.dropLast()
        } else if text.hasSuffix("B") {
            throw node.error(.badUnit, "write sizes as 256M, 1G or 65536K, found '\(text)'")
        }
        guard let value = Int(digits), value > 0 else {
            throw node.error(.badValue, "expected a size such as 256M or 1G, found '\(text)'")
        }
        let (size, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow, size <= ProcessLimits.maximumMemoryBytes else {
            throw node.error(.badValue, "a size is at most \(ProcessLimits.maximumMemoryBytes >> 40)T, found '\(text)'")
        }
        return size
    }

    private static func decodeHostExport(name: String, _ node: ProfileNode) throws(ProfileError)
        -> HostExportConfiguration
    {
        var reader = try node.mapping()
        let deviceNode = reader.optional("device")
        let matchNode = reader.optional("match")
        let selector: HostExportConfiguration.Selector
        switch (deviceNode, matchNode) {
        case (let deviceNode?, nil):
            selector = .path(try deviceNode.string())
        case (nil, let matchNode?):
            var properties: [String: String] = [:]
            var matchReader = try matchNode.mapping()
            for (key, value) in matchReader.remaining() { properties[key] = try value.string() }
            guard !properties.isEmpty else {
                throw matchNode.error(.badValue, "match needs at least one udev property")
            }
            selector = .match(properties)
        case (.some, .some):
            throw matchNode!.error(.badValue, "use either device (a path) or match (udev properties), not both")
        case (nil, nil):
            throw node.error(.missingKey, "missing required key 'device' (a path such as /dev/ttyUSB0) or 'match'")
        }
        let modeNode = reader.optional("mode")
        let mode = try modeNode?.string() ?? "rfc2217"
        guard exportModes.contains(mode) else {
            throw modeNode!.error(
                .badValue, "unknown export mode '\(mode)' (use one of: \(exportModes.joined(separator: ", ")))")
        }
        let listen = try address(try reader.required("listen"))
        let busyPoll = try busyPollMicroseconds(reader.optional("busy_poll_us"))
        var export = HostExportConfiguration(
            name: name, selector: selector,
            export: ExportSpec(mode: mode, listen: listen, busyPollMicroseconds: busyPoll))
        if let value = reader.optional("baud") { export.baud = try value.integer() }
        if let value = reader.optional("trace") { export.trace = try value.string() }
        try reader.finish()
        return export
    }

    /// Two listeners on one port are a configuration error, reported at the second.
    private static func checkPorts(_ configuration: ServiceConfiguration, root: ProfileNode) throws(ProfileError) {
        var used: [Int: String] = [:]
        if configuration.api.listen.port != 0 { used[configuration.api.listen.port] = "api.listen" }
        var claims: [(String, Int)] = []
        for device in configuration.devices {
            for (index, export) in device.exports.enumerated() {
                claims.append(("devices.\(device.name).exports[\(index)].listen", export.listen.port))
            }
        }
        for export in configuration.hostExports {
            claims.append(("exports.\(export.name).listen", export.export.listen.port))
        }
        for (key, port) in claims where port != 0 {
            if let first = used[port] {
                let location = find(key, in: root)
                throw ProfileError(
                    .badValue, "port \(port) is already used by \(first)", keyPath: key, location: location)
            }
            used[port] = key
        }
    }

    /// One embedded Nightscout device at most, and a real secret off loopback.
    private static func checkNightscout(_ configuration: ServiceConfiguration, root: ProfileNode) throws(ProfileError) {
        let served = configuration.devices.filter(\.nightscout)
        if served.count > 1 {
            let key = "devices.\(served[1].name).nightscout"
            throw ProfileError(
                .badValue, "only one device can serve the Nightscout routes (\(served[0].name) already does)",
                keyPath: key, location: find(key, in: root))
        }
        guard let device = served.first else { return }
        let key = "devices.\(device.name).nightscout"
        if device.isolation != .embedded {
            throw ProfileError(
                .badValue, "nightscout needs isolation: embedded", keyPath: key, location: find(key, in: root))
        }
        if !configuration.api.listen.isLoopback && configuration.api.nightscoutSecret == nil
            && configuration.api.token == nil
        {
            throw ProfileError(
                .missingKey, "serving Nightscout off loopback needs api.nightscout_secret", keyPath: key,
                location: find(key, in: root))
        }
    }

    /// The location of the node at `path`, for errors found after decoding.
    static func find(_ path: String, in node: ProfileNode) -> SourceLocation? {
        if node.path == path { return node.location }
        switch node.content {
        case .scalar: return nil
        case .sequence(let items):
            for item in items { if let found = find(path, in: item) { return found } }
        case .mapping(let pairs):
            for pair in pairs { if let found = find(path, in: pair.value) { return found } }
        }
        return nil
    }
}

extension ProfileNode {
    /// The value of `key` in this mapping, if any (no unknown-key bookkeeping).
    func child(_ key: String) -> ProfileNode? {
        guard case .mapping(let pairs) = content else { return nil }
        return pairs.first { $0.key == key }?.value
    }
}
