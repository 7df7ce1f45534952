import DeviceBridgeService
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// A supervisor with one embedded smoker on a PTY in a temporary directory, driven through the router.
struct ServiceHarness {
    let directory: String
    let server: DevbridgeServer

    init(extra: String = "", token: String? = nil) throws {
        directory = NSTemporaryDirectory() + "devbridge-service-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let tokenLine = token.map { "\n  token: \($0)" } ?? ""
        let yaml = """
            api:
              listen: 127.0.0.1:0\(tokenLine)
            devices:
              smoker:
                profile: smoker-brisket
                link: \(directory)/smoker
                speed: 1
                reset_on_open: false
            \(extra)
            """
        let path = directory + "/devbridge.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        server = try DevbridgeServer(configPath: path, logger: logger)
    }

    /// Starts the devices, runs `body` against the router, then stops everything.
    func run(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        await server.supervisor.startAll()
        for _ in 0..<200 {
            if await !server.supervisor.snapshots().contains(where: { $0.status == .starting }) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            try await Application(router: server.makeRouter()).test(.router, body)
        } catch {
            await server.supervisor.stopAll()
            throw error
        }
        await server.supervisor.stopAll()
    }
}

func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(response.body.readableBytesView))
}

func jsonBody(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

struct DeviceListBody: Decodable {
    var devices: [DeviceSnapshot]
    var exports: [ExportSnapshot]
}

struct ErrorResponseBody: Decodable {
    struct Detail: Decodable {
        var code: String
        var message: String
    }
    var error: Detail
}

@Suite(.serialized) struct ServiceAPITests {
    @Test func listsDevicesWithStateAndCounters() async throws {
        try await ServiceHarness().run { client in
            try await client.execute(uri: "/control/devices", method: .get) { response in
                #expect(response.status == .ok)
                let list = try decode(DeviceListBody.self, response)
                let smoker = try #require(list.devices.first)
                #expect(smoker.name == "smoker")
                #expect(smoker.protocol == "smart-smoker")
                #expect(smoker.isolation == "embedded")
                #expect(smoker.model == "smoker")
                #expect(smoker.channels.map(\.name) == ["pit", "meat1", "fan"])
                #expect(smoker.counters != nil)
                #expect(smoker.eventTypes.contains("lid_open"))
            }
        }
    }

    /// "Advance 3 h, then expect the stall": the meat's core climbs fast at first, then plateaus.
    @Test func advanceThreeHoursThenExpectTheStall() async throws {
        try await ServiceHarness().run { client in
            func meat(after duration: String) async throws -> Double {
                try await client.execute(
                    uri: "/control/devices/smoker/clock/advance", method: .post,
                    body: jsonBody(#"{"duration": "\#(duration)"}"#)
                ) { response in
                    #expect(response.status == .ok)
                    let device = try decode(DeviceSnapshot.self, response)
                    return try #require(device.channels.first { $0.name == "meat1" }?.value)
                }
            }
            try await client.execute(uri: "/control/devices/smoker/clock/pause", method: .post) { response in
                #expect(response.status == .ok)
                let decoded = try decode(DeviceSnapshot.self, response)
                #expect(decoded.clock?.paused == true)
            }
            let start = try await meat(after: "1s")
            let oneHour = try await meat(after: "1h")
            let threeHours = try await meat(after: "2h")
            let fiveHours = try await meat(after: "2h")
            let sixHours = try await meat(after: "1h")
            #expect(oneHour - start > 25, "the meat heats fast at first: \(start) → \(oneHour)")
            #expect(threeHours > 130 && threeHours < 150)
            #expect(sixHours - fiveHours < 5, "the stall: \(fiveHours) → \(sixHours) in an hour")
            #expect(sixHours > 145 && sixHours < 170)
            try await client.execute(uri: "/control/devices/smoker", method: .get) { response in
                let device = try decode(DeviceSnapshot.self, response)
                #expect((device.time ?? 0) >= 6 * 3600)
                #expect(device.events.contains { $0.name == "lid_open" })
            }
        }
    }

    @Test func injectsEventsAsCommandOrTypedBody() async throws {
        try await ServiceHarness().run { client in
            try await client.execute(
                uri: "/control/devices/smoker/events", method: .post, body: jsonBody(#"{"command": "setpoint 275F"}"#)
            ) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(
                uri: "/control/devices/smoker/events", method: .post,
                body: jsonBody(#"{"type": "probe_disconnect", "target": "meat1", "parameters": {"duration": "10m"}}"#)
            ) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(
                uri: "/control/devices/smoker/clock/advance", method: .post, body: jsonBody(#"{"duration": "5s"}"#)
            ) {
                _ in
            }
            try await client.execute(uri: "/control/devices/smoker", method: .get) { response in
                let device = try decode(DeviceSnapshot.self, response)
                #expect(device.events.map(\.name).suffix(2) == ["setpoint", "probe_disconnect"])
                #expect(device.channels.first { $0.name == "meat1" }?.state == "disconnected")
                #expect(device.outputs["setpoint"].map { abs($0 - 275) < 0.01 } ?? true)
            }
            for (body, fragment) in [
                (#"{"command": "teleport now"}"#, "unknown event 'teleport'"),
                (#"{"command": "setpoint 275"}"#, "missing unit"),
                (#"{}"#, "give command"),
                ("not json", "invalid JSON"),
            ] {
                try await client.execute(uri: "/control/devices/smoker/events", method: .post, body: jsonBody(body)) {
                    response in
                    #expect(response.status == .badRequest)
                    let error = try decode(ErrorResponseBody.self, response)
                    #expect(error.error.code == "bad-request")
                    #expect(error.error.message.contains(fragment), "\(error.error.message)")
                }
            }
        }
    }

    @Test func unknownDeviceIsNotFoundAndBadSpeedIsRefused() async throws {
        try await ServiceHarness().run { client in
            try await client.execute(uri: "/control/devices/oven", method: .get) { response in
                #expect(response.status == .notFound)
                let decoded = try decode(ErrorResponseBody.self, response)
                #expect(decoded.error.message.contains("smoker"))
            }
            try await client.execute(
                uri: "/control/devices/smoker/clock/speed", method: .post, body: jsonBody(#"{"speed": -2}"#)
            ) {
                response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(
                uri: "/control/devices/smoker/clock/speed", method: .post, body: jsonBody(#"{"speed": 120}"#)
            ) {
                response in
                #expect(response.status == .ok)
                let decoded = try decode(DeviceSnapshot.self, response)
                #expect(decoded.clock?.speed == 120)
            }
            try await client.execute(
                uri: "/control/devices/smoker/clock/advance", method: .post, body: jsonBody(#"{"duration": "3"}"#)
            ) {
                response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func stopRemovesTheLinkAndStartBringsItBack() async throws {
        let harness = try ServiceHarness()
        let link = harness.directory + "/smoker"
        try await harness.run { client in
            #expect(FileManager.default.fileExists(atPath: link))
            try await client.execute(uri: "/control/devices/smoker/stop", method: .post) { response in
                let decoded = try decode(DeviceSnapshot.self, response)
                #expect(decoded.status == .stopped)
            }
            #expect(!FileManager.default.fileExists(atPath: link))
            try await client.execute(uri: "/control/devices/smoker/clock/pause", method: .post) { response in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/control/devices/smoker/start", method: .post) { response in
                #expect(response.status == .ok)
            }
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: link) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(FileManager.default.fileExists(atPath: link))
        }
    }

    @Test func tokenIsRequiredOnTheControlAPIWhenConfigured() async throws {
        let token = "s3cret-token-0123456789"
        try await ServiceHarness(token: token).run { client in
            try await client.execute(uri: "/control/devices", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            try await client.execute(uri: "/control/devices", method: .get, headers: [.authorization: "Bearer wrong"]) {
                response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/control/devices", method: .get, headers: [.authorization: "Bearer \(token)"]
            ) {
                response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/control/devices?access_token=\(token)", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func metricsExposeEndpointsAndSimulatedValues() async throws {
        try await ServiceHarness().run { client in
            try await client.execute(
                uri: "/control/devices/smoker/clock/advance", method: .post, body: jsonBody(#"{"duration": "1h"}"#)
            ) {
                _ in
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#"devbridge_device_up{device="smoker"} 1"#))
                #expect(text.contains(#"devbridge_endpoint_bytes_out_total{endpoint="smoker",kind="pty"}"#))
                #expect(text.contains(#"devbridge_endpoint_reconnects_total{endpoint="smoker",kind="pty"}"#))
                let line = try #require(
                    text.split(separator: "\n").first {
                        $0.hasPrefix(#"devbridge_signal{device="smoker",channel="meat1""#)
                    })
                let value = try #require(Double(line.split(separator: " ").last ?? ""))
                #expect(value > 60 && value < 120, "meat1 after 1 h: \(value)")
                #expect(text.contains("# TYPE devbridge_signal gauge"))
            }
        }
    }

    /// Every path and method in the OpenAPI document is routed (no router-level 404/405).
    @Test func everyDocumentedOperationIsRouted() async throws {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        #expect(paths.count >= 15)
        var operations: [(path: String, method: String, statuses: Set<String>)] = []
        for (path, methods) in paths.sorted(by: { $0.key < $1.key }) where path != "/control/stream" {
            for (method, operation) in methods {
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                operations.append((path, method, Set(responses.keys)))
            }
        }
        let documentedOperations = operations
        try await ServiceHarness().run { client in
            for (path, method, statuses) in documentedOperations {
                do {
                    let uri = path.replacingOccurrences(of: "{name}", with: "smoker")
                    let body: ByteBuffer? =
                        if uri.hasSuffix("/speed") { jsonBody(#"{"speed": 2}"#) } else if uri.hasSuffix("/advance") {
                            jsonBody(#"{"duration": "1m"}"#)
                        } else if uri.hasSuffix("/events") { jsonBody(#"{"command": "lid_open"}"#) } else { nil }
                    let status = try await client.execute(
                        uri: uri, method: method == "get" ? .get : .post, body: body
                    ) { $0.status }
                    #expect(statuses.contains(String(status.code)), "\(method) \(uri) answered \(status.code)")
                }
            }
        }
    }
}

@Suite(.serialized) struct ServiceNightscoutTests {
    /// The default CGM's entries are on the main listener's Nightscout-compatible routes.
    @Test func cgmEntriesAreServedOnTheMainListener() async throws {
        let harness = try ServiceHarness(
            extra: """
                  cgm:
                    profile: cgm-t1d-day
                    protocol: cgm-jsonl
                    nightscout: true
                    speed: 1
                """)
        // SHA-1 of "devbridge-local", the loopback default secret.
        let secret = NightscoutSecret(APIConfiguration.defaultNightscoutSecret).sha1Hex
        try await harness.run { client in
            // Reads are open by default (nightscout.auth_default: readable); writes need the secret.
            try await client.execute(uri: "/api/v1/entries.json", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(
                uri: "/api/v1/devbridge/events", method: .post,
                body: jsonBody(#"{"type":"spike","amount":"50mg/dL","duration":"10m"}"#)
            ) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/control/devices/cgm/clock/advance", method: .post, body: jsonBody(#"{"duration": "1h"}"#)
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(
                uri: "/control/devices/cgm/clock/advance", method: .post, body: jsonBody(#"{"duration": "30s"}"#)
            ) { _ in }
            var headers = HTTPFields()
            headers[.init("api-secret")!] = secret
            try await client.execute(uri: "/api/v1/entries.json?count=3", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                let entries = try #require(
                    try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]])
                #expect(entries.count == 3)
                #expect(entries.allSatisfy { ($0["sgv"] as? Int).map { (39...400).contains($0) } ?? false })
            }
            try await client.execute(
                uri: "/control/devices/cgm/events", method: .post, body: jsonBody(#"{"command": "meal 60g"}"#)
            ) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/control/devices/cgm", method: .get) { response in
                let device = try decode(DeviceSnapshot.self, response)
                #expect(device.protocol == "cgm-jsonl")
                #expect(device.status == .running)
                #expect(device.events.last?.name == "meal")
                #expect(device.eventTypes.contains("spike"))
            }
        }
    }
}
