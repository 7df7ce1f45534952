import ArgumentParser
import DeviceBridgeService
import Discovery
import Foundation
import Logging
import SerialBridge
import SerialIO

/// `devbridge export`: serve one serial device over TCP (raw, telnet or RFC 2217).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Serve a serial device (or a virtual device's PTY) over TCP: raw, telnet or RFC 2217.",
        discussion: """
            Examples:
              devbridge export /dev/ttyUSB0 --listen 127.0.0.1:7000 --mode rfc2217
                  pyserial: serial.serial_for_url("rfc2217://127.0.0.1:7000", baudrate=115200)
              devbridge export /dev/ttyACM0 --listen 127.0.0.1:7001
                  QEMU: -chardev socket,id=s0,host=127.0.0.1,port=7001 -serial chardev:s0
              devbridge sim smoker-brisket --link /tmp/smoker &
              devbridge export /tmp/smoker --listen :7002 --mode rfc2217
              devbridge export /dev/ttyUSB0 --listen 0.0.0.0:7000 \\
                  --tls-cert srv.pem --tls-key srv.key --tls-client-ca ca.pem

            The device may be absent at start: the export waits for it, and reopens it after an \
            unplug or hangup while connected clients stay connected.

            Every client receives all device output. A client that stops reading loses data (or is \
            disconnected, with --overflow disconnect) once its queue (--queue-bytes) is full, and never \
            slows the device or anyone else.

            A non-loopback --listen needs --tls-cert or --token, or an explicit --insecure.

            While a conversation turns around quickly (a request and its answer within \
            --busy-poll microseconds, 100 by default), the export polls for that long after each \
            burst instead of sleeping, and forwards the answer without a wake-up: 10-40 % off \
            the round trip, for at most that much CPU per burst. Sparse traffic costs \
            nothing; --busy-poll 0 always sleeps.

            --trace FILE records both directions and device events (open, hangup, settings, DTR/RTS, \
            BREAK) as pcapng: read it with 'devbridge trace show FILE' or Wireshark.

            --match exports a device by identity instead of a path (see docs/discovery.md): \
            devbridge export --match vendor=0403,product=6001,serial=A50285BI --listen :7000 \
            follows the adapter to any USB port and ttyUSB number, pauses while it is unplugged, \
            and never exports another device that sits in the same port.
            """)

    @Argument(help: "The serial device or PTY link, e.g. /dev/ttyUSB0 (or use --match).")
    var device: String?

    @Option(help: "Export the device a rule picks: vendor=0403,product=6001,serial=A50285BI (keys: see 'devices').")
    var match: String?

    @Option(
        name: .customLong("match-link"),
        help: "With --match: the link kept pointing at the device (default: a per-user runtime path).")
    var matchLink: String?

    @Option(help: "HOST:PORT to listen on (HOST defaults to 127.0.0.1; PORT 0 picks a free one).")
    var listen: String

    @Option(help: "raw, telnet or rfc2217.")
    var mode: String = "raw"

    @Option(name: .customLong("max-clients"), help: "Most clients at once.")
    var maxClients: Int = 16

    @Flag(help: "A client beyond --max-clients replaces the oldest one instead of being refused.")
    var takeover = false

    @Flag(help: "Open the device exclusively (TIOCEXCL): no other host process can open it.")
    var exclusive = false

    @Option(name: .customLong("queue-bytes"), help: "Per-client queue bound in bytes.")
    var queueBytes: Int = 65536

    @Option(help: "When a client's queue is full: drop (its data is discarded and counted) or disconnect.")
    var overflow: String = "drop"

    @Option(
        name: .customLong("open"),
        help: "always: hold the device open with or without clients; clients: only while a client is connected.")
    var openPolicy: String = "always"

    @Option(help: "Line settings applied on open, e.g. 115200 or 9600,7E1 (default: keep the tty's).")
    var line: String?

    @Option(help: "Set DTR on open (on/off); default: leave it as it is (no glitch).")
    var dtr: String?

    @Option(help: "Set RTS on open (on/off); default: leave it as it is.")
    var rts: String?

    @Option(help: "Raw mode: clients must send this token and a newline first.")
    var token: String?

    @Option(name: .customLong("tls-cert"), help: "Serve TLS with this PEM certificate (chain).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("tls-client-ca"), help: "Require client certificates signed by this PEM CA (mutual TLS).")
    var tlsClientCA: String?

    @Option(help: "Record device traffic and events to this pcapng file.")
    var trace: String?

    @Option(
        name: .customLong("busy-poll"),
        help: ArgumentHelp(
            "Poll this many microseconds after I/O instead of sleeping, while traffic turns around that fast (0: never).",
            valueName: "microseconds"))
    var busyPoll = Int(ExportConfiguration.defaultBusyPoll / .microseconds(1))

    @Flag(help: "Allow a non-loopback bind without TLS or a token.")
    var insecure = false

    @Flag(name: .shortAndLong, help: "Log opens, clients and overflows.")
    var verbose = false

    func run() async throws {
        var logger = Logger(label: "devbridge.export")
        logger.logLevel = verbose ? .debug : .notice
        let device: String
        var matched: MatchedDeviceLink?
        switch (self.device, match) {
        case (let path?, nil): device = path
        case (nil, let text?):
            do {
                let rule = try DeviceMatch(parsing: text)
                let follower = try ExportSession.matchedLink(rule: rule, link: matchLink, logger: logger)
                matched = follower
                device = follower.linkPath
            } catch {
                throw ValidationError("--match: \(error)")
            }
        default: throw ValidationError("give either DEVICE or --match")
        }
        let (host, port) = try AttachURL.hostPort(listen)
        guard let mode = ExportMode(rawValue: mode) else {
            throw ValidationError("--mode must be raw, telnet or rfc2217")
        }
        guard let overflow = OverflowPolicy(rawValue: overflow) else {
            throw ValidationError("--overflow must be drop or disconnect")
        }
        guard let openPolicy = OpenPolicy(rawValue: openPolicy) else {
            throw ValidationError("--open must be always or clients")
        }
        var configuration = ExportConfiguration(
            devicePath: device, host: host, port: port, mode: mode, maxClients: maxClients, takeover: takeover,
            exclusive: exclusive, clientQueueBytes: queueBytes, overflowPolicy: overflow, openPolicy: openPolicy,
            lineSettings: try line.map(Self.parseLine), dtrOnOpen: try dtr.map(Self.parseLevel),
            rtsOnOpen: try rts.map(Self.parseLevel), token: token, insecure: insecure,
            busyPoll: .microseconds(busyPoll))
        if let tlsCert {
            guard let tlsKey else { throw ValidationError("--tls-cert needs --tls-key") }
            do {
                configuration.tls = try ExportTLS.serverContext(
                    certificate: tlsCert, key: tlsKey, clientCA: tlsClientCA)
            } catch {
                throw ValidationError(error.message)
            }
        }
        // Refuse a bad configuration before --trace creates (or truncates) its file.
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.message)
        }
        let shown = match.map { "match \($0)" } ?? device
        let session = try ExportSession(
            configuration: configuration, trace: trace, traceName: device, matched: matched, logger: logger
        ) { port in
            printNow("export \(shown) on \(host):\(port) (\(mode.rawValue))")
        }
        do {
            try await runUntilStopped(session.services, logger: logger)
        } catch let error as SerialBridgeError {
            throw ValidationFailure(message: error.message)
        } catch let error as ServiceError {
            throw ValidationFailure(message: "--match: \(error.message)")
        }
    }

    /// "115200" or "9600,7E1".
    static func parseLine(_ text: String) throws -> LineSettings {
        let parts = text.split(separator: ",")
        guard let baud = parts.first.flatMap({ Int($0) }), baud > 0 else {
            throw ValidationError("--line: expected BAUD or BAUD,8N1, got '\(text)'")
        }
        var settings = LineSettings(baud: baud)
        if parts.count > 1 {
            let frame = Array(parts[1].uppercased())
            let parities: [Character: Parity] = ["N": .none, "O": .odd, "E": .even, "M": .mark, "S": .space]
            guard frame.count == 3, let bits = Int(String(frame[0])), let parity = parities[frame[1]],
                let stop = StopBits(rawValue: Int(String(frame[2])) ?? 0)
            else { throw ValidationError("--line: expected a frame like 8N1, got '\(parts[1])'") }
            settings.dataBits = bits
            settings.parity = parity
            settings.stopBits = stop
        }
        return settings
    }

    static func parseLevel(_ text: String) throws -> Bool {
        switch text.lowercased() {
        case "on", "1", "high", "true": return true
        case "off", "0", "low", "false": return false
        default: throw ValidationError("expected on or off, got '\(text)'")
        }
    }
}
