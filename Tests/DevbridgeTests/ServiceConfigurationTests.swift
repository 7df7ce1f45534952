import DeviceBridgeService
import Testing

@Suite struct ServiceConfigurationTests {
    @Test func embeddedDefaultHasSmokerExportsAndCGM() throws {
        let configuration = try ServiceConfigurationLoader.embeddedDefault()
        #expect(configuration.api.listen == ListenAddress(host: "127.0.0.1", port: 7000))
        #expect(configuration.api.token == nil)
        let smoker = try #require(configuration.device(named: "smoker"))
        #expect(smoker.protocolName == "smart-smoker")
        #expect(
            smoker.exports == [
                ExportSpec(mode: "rfc2217", listen: ListenAddress(host: "127.0.0.1", port: 7001)),
                ExportSpec(mode: "raw", listen: ListenAddress(host: "127.0.0.1", port: 7002)),
            ])
        let cgm = try #require(configuration.device(named: "cgm"))
        #expect(cgm.protocolName == "cgm-jsonl")
        #expect(cgm.nightscout)
        #expect(configuration.nightscout.authDefault == .readable)  // as Nightscout: anyone may read
        #expect(configuration.source == EmbeddedConfiguration.source)
        let denied = try ServiceConfigurationLoader.parse(yaml: "nightscout: {auth_default: denied}\n", file: "t.yaml")
        #expect(denied.nightscout.authDefault == .denied)
    }

    @Test func fullDeviceAndHostExport() throws {
        let yaml = """
            api: {listen: "0.0.0.0:8000", token: 0123456789abcdef0123}
            devices:
              pit:
                profile: smoker-ribs-321
                protocol: heatermeter
                link: /tmp/x/pit
                speed: 60x
                paused: true
                seed: 7
                reset_on_open: false
                baud_mismatch: no
                trace: /tmp/pit.pcapng
                isolation: process
                limits: {memory: 256M, cpu: 1h, restart_backoff: 200ms}
                exports: [{mode: telnet, listen: "127.0.0.1:7100", busy_poll_us: 0}]
            exports:
              thermo:
                match: {ID_VENDOR_ID: "0403", ID_MODEL_ID: "6001"}
                listen: 127.0.0.1:7101
                baud: 115200
              usb0: {device: /dev/ttyUSB0, mode: raw, listen: "127.0.0.1:7102", busy_poll_us: 250}
            """
        let configuration = try ServiceConfigurationLoader.parse(yaml: yaml, file: "t.yaml")
        #expect(configuration.api.listen.host == "0.0.0.0")
        let pit = try #require(configuration.device(named: "pit"))
        #expect(pit.speed == .factor(60))
        #expect(pit.paused && !pit.resetOnOpen && !pit.emulateBaudMismatch)
        #expect(pit.seed == 7)
        #expect(
            pit.isolation
                == .process(
                    ProcessLimits(memoryBytes: 256 << 20, cpuSeconds: 3600, initialBackoff: 0.2, maxBackoff: 30)))
        #expect(configuration.hostExports.count == 2)
        #expect(configuration.hostExports[0].selector == .match(["ID_VENDOR_ID": "0403", "ID_MODEL_ID": "6001"]))
        #expect(configuration.hostExports[0].export.mode == "rfc2217")
        #expect(configuration.hostExports[1].selector == .path("/dev/ttyUSB0"))
        #expect(pit.exports.map(\.busyPollMicroseconds) == [0])
        #expect(configuration.hostExports.map(\.export.busyPollMicroseconds) == [nil, 250])
    }

    /// Each bad configuration fails with the file, line, column and key at fault.
    @Test(arguments: [
        (
            "devices:\n  smoker:\n    profile: smoker-brisket\n    sped: 60\n",
            "t.yaml:4:5: devices.smoker.sped: unknown key 'sped' (did you mean 'speed'?)"
        ),
        (
            "devices:\n  smoker:\n    profile: smoker-brisket\n    speed: fast\n",
            "t.yaml:4:12: devices.smoker.speed: speed must be"
        ),
        (
            "api:\n  listen: 0.0.0.0:7000\n",
            "t.yaml:2:11: api.listen: listening on 0.0.0.0 (not loopback) needs a bearer token"
        ),
        ("api:\n  listen: 7000\n", "t.yaml:2:11: api.listen: expected HOST:PORT"),
        ("devices:\n  smoker:\n    speed: 1\n", "t.yaml:3:5: devices.smoker: missing required key 'profile'"),
        (
            "devices:\n  a:\n    profile: smoker-brisket\n    exports: [{mode: raw, listen: \"127.0.0.1:7000\"}]\n",
            "devices.a.exports[0].listen: port 7000 is already used by api.listen"
        ),
        (
            "devices:\n  a:\n    profile: x\n    exports: [{mode: serial, listen: \":1\"}]\n",
            "t.yaml:4:22: devices.a.exports[0].mode: unknown export mode 'serial'"
        ),
        (
            "devices:\n  a:\n    profile: x\n    limits: {memory: 1G}\n",
            "t.yaml:4:13: devices.a.limits: limits apply only to isolation: process"
        ),
        ("exports:\n  u: {listen: \"127.0.0.1:1\"}\n", "t.yaml:2:6: exports.u: missing required key 'device'"),
        (
            "exports:\n  u: {device: /dev/ttyS0, listen: \"127.0.0.1:1\", busy_poll_us: 20000}\n",
            "t.yaml:2:64: exports.u.busy_poll_us: busy_poll_us must be between 0 and 10000 microseconds, found 20000"
        ),
        ("devices: [1, 2]\n", "t.yaml:1:10: devices: expected a mapping"),
        (
            "devices:\n  a: {profile: cgm-t1d-day, nightscout: true}\n  b: {profile: cgm-spike, nightscout: true}\n",
            "t.yaml:3:39: devices.b.nightscout: only one device can serve the Nightscout routes (a already does)"
        ),
        (
            "devices:\n  a: {profile: cgm-t1d-day, nightscout: true, isolation: process}\n",
            "t.yaml:2:41: devices.a.nightscout: nightscout needs isolation: embedded"
        ),
        (
            "api: {nightscout_secret: short}\n",
            "t.yaml:1:26: api.nightscout_secret: the Nightscout API secret must be at least 12"
        ),
        ("devices:\n  smoker: {profile: [\n", "t.yaml:3:1: YAML syntax"),
        (
            "nightscout: {auth_default: public}\n",
            "t.yaml:1:28: nightscout.auth_default: auth_default must be readable or denied, found 'public'"
        ),
        ("nightscout: {auth: denied}\n", "t.yaml:1:14: nightscout.auth: unknown key 'auth'"),
        // Found by the config fuzz harness: values past Int's range trapped instead of failing.
        (
            "devices:\n  a: {profile: x, isolation: process, limits: {cpu: 11111111111111111111111h}}\n",
            "devices.a.limits.cpu: cpu is at most 365 days"
        ),
        (
            "devices:\n  a: {profile: x, isolation: process, limits: {memory: 99999999999999G}}\n",
            "devices.a.limits.memory: a size is at most 1T, found '99999999999999G'"
        ),
    ])
    func errorsNameFileLineAndKey(yaml: String, expected: String) throws {
        let error = #expect(throws: ServiceError.self) {
            try ServiceConfigurationLoader.parse(yaml: yaml, file: "t.yaml")
        }
        #expect(error?.code == .config)
        let text = error?.description ?? ""
        #expect(text.contains(expected), "\(text)")
    }

    @Test func listenAddressParsing() {
        #expect(ListenAddress("127.0.0.1:7000") == ListenAddress(host: "127.0.0.1", port: 7000))
        #expect(ListenAddress("[::1]:80")?.host == "::1")
        #expect(ListenAddress(":9")?.host == "127.0.0.1")
        #expect(ListenAddress("x:70000") == nil)
        #expect(ListenAddress("localhost:1")?.isLoopback == true)
        #expect(ListenAddress("10.0.0.1:1")?.isLoopback == false)
    }
}

@Suite struct SimulationClockControlTests {
    @Test func pauseFreezesVirtualTimeAndResumeContinues() throws {
        let clock = SimulationClockControl(factor: 1000)
        clock.start(virtualTime: 100)
        clock.pause()
        let frozen = clock.virtualTime()
        #expect(frozen >= 100)
        #expect(clock.virtualTime() == frozen)
        #expect(clock.settings.paused)
        clock.shift(by: 3600)
        #expect(clock.virtualTime() == frozen + 3600)
        clock.resume()
        #expect(clock.virtualTime() >= frozen + 3600)
        #expect(!clock.settings.paused)
    }

    @Test func speedChangesNeverMoveTimeBackwards() throws {
        let clock = SimulationClockControl(factor: 1)
        clock.start(virtualTime: 50)
        let before = clock.virtualTime()
        try clock.setFactor(600)
        #expect(clock.settings.factor == 600)
        #expect(clock.virtualTime() >= before)
        #expect(throws: ServiceError.self) { try clock.setFactor(0) }
        #expect(throws: ServiceError.self) { try clock.setFactor(-.infinity) }
    }

    @Test func startsPausedWhenAsked() {
        let clock = SimulationClockControl(factor: 5, paused: true)
        clock.start(virtualTime: 7)
        #expect(clock.virtualTime() == 7)
    }
}
