import DeviceBridgeService
import Logging
import Simulation
import Testing
import VirtualDevices

/// `devbridge sim`'s wiring: the device comes from the catalog; options that do not fit are refused.
@Suite struct SimSessionTests {
    @Test func theDeviceSpeaksTheRequestedProtocolElseTheProfiles() throws {
        let smoker = try ProfileLoader.shipped("smoker-brisket")
        #expect(try SimSession.makeDevice(smoker, protocolName: nil, seed: 1).protocolName == "smart-smoker")
        #expect(try SimSession.makeDevice(smoker, protocolName: "heatermeter", seed: 1).protocolName == "heatermeter")
        let cgm = try ProfileLoader.shipped("cgm-t1d-day")
        #expect(try SimSession.makeDevice(cgm, protocolName: nil, seed: nil).protocolName == "cgm-jsonl")
    }

    @Test func anUnknownProtocolIsABadOptionListingTheCatalog() throws {
        let smoker = try ProfileLoader.shipped("smoker-brisket")
        #expect {
            try SimSession.makeDevice(smoker, protocolName: "telepathy", seed: nil)
        } throws: { error in
            guard let error = error as? ServiceError else { return false }
            let known = DeviceCatalog.standard.names.joined(separator: ", ")
            return error.code == .badRequest && error.message == "unknown protocol 'telepathy' (known: \(known))"
        }
    }

    @Test func nightscoutNeedsACGMDevice() throws {
        let smoker = try ProfileLoader.shipped("smoker-brisket")
        #expect {
            try SimSession.makeDevice(smoker, protocolName: nil, seed: nil, cgmHistory: CGMHistoryStore())
        } throws: { error in
            (error as? ServiceError)?.code == .badRequest
        }
    }

    @Test func servicesFollowTheOptions() throws {
        let cgm = try ProfileLoader.shipped("cgm-t1d-day")
        let plain = try SimSession(
            profile: cgm, options: .init(profileSource: "cgm-t1d-day", link: "/tmp/unused-link"),
            logger: Logger(label: "test"), onReady: { _ in })
        #expect(plain.services.count == 1)
        #expect(plain.linkPath == "/tmp/unused-link")
        let full = try SimSession(
            profile: cgm,
            options: .init(
                profileSource: "cgm-t1d-day", link: "/tmp/unused-link",
                nightscout: .init(host: "127.0.0.1", port: 0, apiSecret: "s3cret"), statusInterval: .seconds(1)),
            logger: Logger(label: "test"), onReady: { _ in })
        #expect(full.services.count == 3)
        #expect(full.runner.protocolName == "cgm-jsonl")
    }
}
