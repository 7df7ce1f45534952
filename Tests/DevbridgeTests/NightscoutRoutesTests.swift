import DeviceBridgeService
import Foundation
import Hummingbird
import HummingbirdTesting
import Simulation
import Synchronization
import Testing
import VirtualDevices

@Suite("Nightscout routes (HummingbirdTesting)")
struct NightscoutRoutesTests {
    static let secret = "correct horse battery"
    /// sha1("correct horse battery"), as py-nightscout sends it.
    static var sha1: String { NightscoutSecret(secret).sha1Hex }
    static var header: HTTPFields.Element.Name { .init("api-secret")! }

    /// A store filled by a CGM device running cgm-spike for two virtual hours (25 readings).
    static func feed() throws -> (CGMHistoryStore, CGMDevice) {
        let store = CGMHistoryStore()
        var device = try CGMDevice(
            simulation: Simulation(profile: ProfileLoader.shipped("cgm-spike")), subscribers: [store.subscriber])
        _ = device.advance(to: 2 * 3600)
        return (store, device)
    }

    static let token = "a-control-api-token-0123"

    static func app(
        _ store: CGMHistoryStore, authDefault: NightscoutAuthDefault = .readable,
        inject: NightscoutRoutes.Injector? = nil
    ) -> some ApplicationProtocol {
        let router = Router()
        NightscoutRoutes(
            store: store, secret: NightscoutSecret(secret), authDefault: authDefault, token: token, inject: inject
        ).add(to: router)
        return Application(router: router)
    }

    static func entries(_ body: ByteBuffer) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [[String: Any]])
    }

    @Test("the secret's SHA-1 and SHA-512 hex are known values")
    func hashes() {
        let secret = NightscoutSecret("abc")
        #expect(secret.sha1Hex == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(secret.sha512Hex.hasPrefix("ddaf35a193617abacc417349ae204131"))
        #expect(secret.accepts("A9993E364706816ABA3E25717850C26C9CD0D89D"))
        #expect(!secret.accepts("a9993e364706816aba3e25717850c26c9cd0d89"))
        #expect(!secret.accepts("abc"))
        #expect(!secret.accepts(nil))
    }

    @Test("readable by default: reads need no secret, writes do, and status.json says so")
    func readableByDefault() async throws {
        let (store, _) = try Self.feed()
        try await Self.app(store, inject: { _ in }).test(.router) { client in
            for uri in ["/api/v1/entries.json?count=3", "/api/v1/entries/current.json", "/api/v1/entries.csv"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/v1/status.json", method: .get) { response in
                let status = try #require(
                    JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let settings = try #require(status["settings"] as? [String: Any])
                #expect(settings["authDefaultRoles"] as? String == "readable")
                #expect(settings["units"] as? String == "mg/dl")
                #expect((settings["enable"] as? [String])?.contains("bgnow") == true)
                #expect((settings["thresholds"] as? [String: Any])?["bgHigh"] as? Int == 260)
            }
            let event = ByteBuffer(string: #"{"type":"spike","amount":"50mg/dL","duration":"10m"}"#)
            let wrong = NightscoutSecret("wrong").sha1Hex
            for headers: HTTPFields in [[:], [Self.header: wrong], [.authorization: "Bearer not-the-token"]] {
                try await client.execute(uri: "/api/v1/devbridge/events", method: .post, headers: headers, body: event)
                {
                    response in
                    #expect(response.status == .unauthorized)
                }
            }
            // The secret's hash as header or query parameter, or the service's token, may write.
            let allowed: [(String, HTTPFields)] = [
                ("/api/v1/devbridge/events", [Self.header: Self.sha1]),
                ("/api/v1/devbridge/events?secret=\(Self.sha1)", [:]),
                ("/api/v1/devbridge/events", [.authorization: "Bearer \(Self.token)"]),
                ("/api/v1/devbridge/events?token=\(Self.token)", [:]),
            ]
            for (uri, headers) in allowed {
                try await client.execute(uri: uri, method: .post, headers: headers, body: event) { response in
                    #expect(response.status == .ok, "\(uri) \(headers)")
                }
            }
        }
    }

    @Test("auth_default denied: a missing or wrong secret gets 401 and reveals nothing")
    func refused() async throws {
        let (store, _) = try Self.feed()
        try await Self.app(store, authDefault: .denied).test(.router) { client in
            let wrong = NightscoutSecret("wrong").sha1Hex
            for headers: HTTPFields in [[:], [Self.header: wrong], [Self.header: Self.secret]] {
                for uri in [
                    "/api/v1/entries.json", "/api/v1/entries/sgv.json?count=5", "/api/v1/entries/current.json",
                    "/api/v1/status.json", "/api/v1/entries.csv",
                ] {
                    try await client.execute(uri: uri, method: .get, headers: headers) { response in
                        #expect(response.status == .unauthorized, "\(uri)")
                        let body = String(decoding: response.body.readableBytesView, as: UTF8.self)
                        #expect(body == #"{"status":401,"message":"Unauthorized"}"#)
                        #expect(!body.contains("sgv") && !body.contains("devbridge"))
                    }
                }
            }
        }
    }

    @Test("entries: newest first, count default 10, count, find[date][$gte], current; SHA-512 accepted")
    func entries() async throws {
        let (store, device) = try Self.feed()
        let all = store.query(.init(count: 0))
        #expect(all.count == 25)
        try await Self.app(store).test(.router) { client in
            let auth: HTTPFields = [Self.header: Self.sha1]
            try await client.execute(uri: "/api/v1/entries.json", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                let entries = try Self.entries(response.body)
                #expect(entries.count == 10)
                let dates = entries.compactMap { $0["date"] as? Int64 }
                #expect(dates == dates.sorted(by: >))
                #expect(dates.first == all.first?.date)
                #expect(entries.allSatisfy { $0["type"] as? String == "sgv" && $0["sgv"] is Int })
                #expect(entries.first?["dateString"] as? String == all.first?.dateString)
            }
            try await client.execute(uri: "/api/v1/entries/sgv.json?count=3", method: .get, headers: auth) {
                response in
                let sgvs = try Self.entries(response.body).compactMap { $0["sgv"] as? Int }
                #expect(sgvs == all.prefix(3).map(\.sgv))
            }
            let since = all[4].date
            try await client.execute(
                uri: "/api/v1/entries/sgv.json?count=100&find%5Bdate%5D%5B%24gte%5D=\(since)", method: .get,
                headers: auth
            ) { response in
                let dates = try Self.entries(response.body).compactMap { $0["date"] as? Int64 }
                #expect(dates == all.prefix(5).map(\.date))
            }
            try await client.execute(
                uri: "/api/v1/entries.json?find[date][$gte]=\(since)&count=2", method: .get, headers: auth
            ) { response in
                let entries = try Self.entries(response.body)
                #expect(entries.count == 2)
            }
            let sha512: HTTPFields = [Self.header: NightscoutSecret(Self.secret).sha512Hex]
            try await client.execute(uri: "/api/v1/entries/current.json", method: .get, headers: sha512) {
                response in
                #expect(response.status == .ok)
                let entries = try Self.entries(response.body)
                #expect(entries.count == 1)
                #expect(entries.first?["sgv"] as? Int == device.latestEntry()?.sgv)
                #expect(entries.first?["date"] as? Int64 == all.first?.date)
            }
            try await client.execute(uri: "/api/v1/entries.tsv?count=2", method: .get, headers: auth) { response in
                let rows = String(decoding: response.body.readableBytesView, as: UTF8.self).split(separator: "\n")
                #expect(rows.count == 2)
                #expect(rows.first == Substring(all[0].textRow(separator: "\t")))
            }
            try await client.execute(uri: "/api/v1/entries.json?count=x", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/v1/status.json", method: .get, headers: auth) { response in
                let status = try #require(
                    JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(status["status"] as? String == "ok")
                #expect(status["serverTimeEpoch"] as? Int64 == all.first?.date)
            }
        }
    }

    @Test("POST devbridge/events injects (with the secret), and the next readings rise")
    func injection() async throws {
        let store = CGMHistoryStore()
        let simulation = try Simulation(profile: ProfileLoader.shipped("cgm-t1d-day"), seed: 5)
        let device = try CGMDevice(simulation: simulation, subscribers: [store.subscriber])
        let box = DeviceBox(device)
        box.advance(to: 3600)
        let before = try #require(store.latest).sgv
        try await Self.app(store, authDefault: .denied, inject: { try box.inject($0) }).test(.router) { client in
            let body = ByteBuffer(string: #"{"type":"spike","amount":"150mg/dL","duration":"15m"}"#)
            try await client.execute(uri: "/api/v1/devbridge/events", method: .post, body: body) { response in
                #expect(response.status == .unauthorized)
            }
            #expect(box.eventCount == 0)
            try await client.execute(
                uri: "/api/v1/devbridge/events", method: .post, headers: [Self.header: Self.sha1], body: body
            ) { response in
                #expect(response.status == .ok)
                #expect(
                    String(decoding: response.body.readableBytesView, as: UTF8.self) == #"{"ok":true,"event":"spike"}"#)
            }
            try await client.execute(
                uri: "/api/v1/devbridge/events", method: .post, headers: [Self.header: Self.sha1],
                body: ByteBuffer(string: "spike amount=lots")
            ) { response in
                #expect(response.status == .badRequest)
            }
        }
        #expect(box.eventCount == 1)
        box.advance(to: 3600 + 30 * 60)
        let after = try #require(store.latest).sgv
        #expect(after > before + 60, "\(before) → \(after)")
    }

    @Test("query parsing: percent-encoding, bad values")
    func queryParsing() throws {
        let query = try NightscoutQuery.parse(
            "count=7&find%5Bdate%5D%5B%24gte%5D=1780747500000&find[date][$lt]=1780747900000")
        #expect(query == CGMHistory.Query(count: 7, dateGTE: 1_780_747_500_000, dateLT: 1_780_747_900_000))
        #expect(throws: NightscoutQuery.Failure.self) { try NightscoutQuery.parse("count=-1") }
        #expect(throws: NightscoutQuery.Failure.self) { try NightscoutQuery.parse("find[date][$gte]=yesterday") }
        #expect(try NightscoutQuery.parse(nil) == CGMHistory.Query())
    }

    @Test("event bodies: command, type + parameters, plain text")
    func eventBodies() throws {
        #expect(try NightscoutEventRequest.commandLine(Array(#"{"command":"meal 60g"}"#.utf8)) == "meal 60g")
        #expect(
            try NightscoutEventRequest.commandLine(Array(#"{"type":"meal","grams":"60g","bolus":"5U"}"#.utf8))
                == "meal bolus=5U grams=60g")
        let event = try NightscoutEventRequest.event(Array("bolus 2U".utf8))
        #expect(event.name == "bolus" && event.parameters["units"] == 2)
        #expect(throws: NightscoutEventRequest.Failure.self) { try NightscoutEventRequest.event(Array("{}".utf8)) }
    }

    @Test("only loopback addresses are accepted")
    func addresses() throws {
        #expect(try NightscoutServer.parseAddress("127.0.0.1:17580") == ("127.0.0.1", 17580))
        #expect(try NightscoutServer.parseAddress("[::1]:0") == ("::1", 0))
        #expect(throws: NightscoutServer.AddressError.self) { try NightscoutServer.parseAddress("0.0.0.0:80") }
        #expect(throws: NightscoutServer.AddressError.self) { try NightscoutServer.parseAddress("127.0.0.1") }
    }
}

/// A CGM device behind a lock, as the runner holds it.
final class DeviceBox: Sendable {
    private let state: Mutex<CGMDevice>
    init(_ device: CGMDevice) { state = Mutex(device) }
    func advance(to time: Double) { state.withLock { _ = $0.advance(to: time) } }
    func inject(_ event: ModelEvent) throws { try state.withLock { try $0.inject(event) } }
    var eventCount: Int { state.withLock { $0.simulation.log.filter { $0.event.name == "spike" }.count } }
}
