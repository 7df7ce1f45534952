import ArgumentParser
import Foundation
import Logging
import SerialBridge

/// `devbridge attach`: the guest side — a local PTY bound to a remote export.
struct AttachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Guest side: a local PTY at --link bound to a remote export or a virtio-serial port.",
        discussion: """
            Examples (inside the guest):
              devbridge attach rfc2217://10.0.2.2:7000 --link /dev/ttyUSB0
                  apps open /dev/ttyUSB0; their baud/parity/stop-bit changes reach the host device
              devbridge attach tcp://10.0.2.2:7001 --link /tmp/ttyS9          # raw bytes only
              devbridge attach /dev/virtio-ports/smoker --link /dev/ttyUSB0   # no guest networking
              devbridge attach rfc2217:///dev/virtio-ports/smoker --link /dev/ttyUSB0
                  # the same, with serial settings carried over RFC 2217 (host: export --mode rfc2217)

            The PTY stays in place when the link drops; it reconnects with exponential backoff.
            """)

    @Argument(
        help:
            "rfc2217://HOST:PORT, tcp://HOST:PORT, a device path such as /dev/virtio-ports/NAME, or rfc2217:///DEVICE.")
    var url: String

    @Option(help: "Path of the PTY link to create.")
    var link: String

    @Flag(name: .customLong("no-modem-lines"), help: "Do not turn PTY open/close into DTR/RTS on/off.")
    var noModemLines = false

    @Option(name: .customLong("tls-ca"), help: "Connect with TLS, trusting this PEM CA (or self-signed certificate).")
    var tlsCA: String?

    @Option(name: .customLong("tls-cert"), help: "Client certificate (PEM) for mutual TLS.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "Private key (PEM) for --tls-cert.")
    var tlsKey: String?

    @Flag(name: .shortAndLong, help: "Log connections and settings.")
    var verbose = false

    func run() async throws {
        let target: AttachURL
        var options = AttachClient.Options(modemLinesFollowOpen: !noModemLines)
        do {
            target = try AttachURL(parsing: url)
            if let tlsCA {
                options.tls = try ExportTLS.clientContext(ca: tlsCA, certificate: tlsCert, key: tlsKey)
            }
        } catch {
            throw ValidationError(error.message)
        }
        var logger = Logger(label: "devbridge.attach")
        logger.logLevel = verbose ? .debug : .notice
        let client = try await AttachClient(
            url: target, link: link, options: options, logger: logger)
        FileHandle.standardOutput.write(
            Data(("attach \(target) at \(link) (\(client.endpoint.slavePath))" + "\n").utf8))
        try await runUntilStopped([.init(service: UntilShutdownService { await client.run() })], logger: logger)
    }
}
