import ArgumentParser
import DeviceBridgeService
import Foundation
import Logging

/// `devbridge serve`: every device, export and the HTTP listener of one configuration file.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the service: virtual devices, exports, dashboard, control API and metrics.",
        discussion: """
            With no --config, runs the embedded default: a virtual smoker (smart-smoker on a PTY,
            RFC 2217 on 127.0.0.1:7001, raw TCP on 127.0.0.1:7002) and a virtual CGM (cgm-jsonl on a
            PTY, Nightscout-compatible API), with the dashboard on http://127.0.0.1:7000/.

            SIGHUP reloads the file: only devices whose configuration changed restart.
            SIGTERM/SIGINT stop gracefully: traces flushed, PTY links removed, clients closed.

            Examples:
              devbridge serve
              devbridge serve --config /etc/devbridge/devbridge.yaml
              devbridge serve --check --config config/example.yaml   # validate and exit
              devbridge serve --print-default > my.yaml              # start from the embedded default
            See docs/service.md for the file format.
            """)

    @Option(help: "The configuration file (YAML). Default: the embedded default.")
    var config: String?

    @Flag(help: "Validate the configuration and exit.")
    var check = false

    @Flag(help: "Print the embedded default configuration and exit.")
    var printDefault = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "notice"

    func run() async throws {
        if printDefault {
            print(EmbeddedConfiguration.yaml, terminator: "")
            return
        }
        var logger = Logger(label: "devbridge.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        let server: DevbridgeServer
        do {
            server = try DevbridgeServer(configPath: config, logger: logger)
        } catch {
            throw ValidationFailure(message: error.description)
        }
        if check {
            let configuration = await server.supervisor.configuration
            printNow(
                "\(configuration.source): OK (\(configuration.devices.count) devices, "
                    + "\(configuration.hostExports.count) host exports, API on \(configuration.api.listen))")
            return
        }
        let configuration = await server.supervisor.configuration
        do {
            try await run(server, configuration)
        } catch let error as ServiceError {
            throw ValidationFailure(message: error.description)
        }
    }

    private func run(_ server: DevbridgeServer, _ configuration: ServiceConfiguration) async throws {
        try await server.run { port, devices in
            printNow(
                ServeBanner.text(
                    host: configuration.api.listen.host, port: port, devices: devices,
                    token: server.apiState.token != nil, nightscout: configuration.nightscoutDevice?.name,
                    defaultSecret: configuration.api.nightscoutSecret == nil && configuration.api.token == nil))
        }
    }
}

/// What `devbridge serve` prints once everything is up: where things are and how to connect.
enum ServeBanner {
    static func text(
        host: String, port: Int, devices: [DeviceSnapshot], token: Bool, nightscout: String?, defaultSecret: Bool
    ) -> String {
        let base = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        var lines = ["devbridge serve: \(devices.count) devices"]
        for device in devices {
            lines.append("  \(device.name): \(device.protocol) (\(device.profile)) — \(device.status)")
            if let error = device.error { lines.append("    error:  \(error)") }
            if let pty = device.pty { lines.append("    pty:    \(pty)") }
            if let link = device.link {
                lines.append(
                    "    link:   \(link)   e.g. python3 -m serial.tools.miniterm \(link) \(device.baud ?? 9600)")
            }
            for export in device.exports {
                let address = export.address
                let hint =
                    switch export.mode {
                    case "rfc2217": "pyserial rfc2217://\(address)"
                    case "raw":
                        "qemu -chardev socket,id=s0,host=\(address.split(separator: ":").first ?? ""),port=\(address.split(separator: ":").last ?? "") -serial chardev:s0"
                    default: "telnet \(address.replacingOccurrences(of: ":", with: " "))"
                    }
                lines.append(
                    "    \(export.mode): \(address) — \(export.status)\(export.error.map { ": \($0)" } ?? "")   \(hint)"
                )
            }
        }
        lines.append("  dashboard: \(base)/\(token ? "#token=…" : "")")
        if let nightscout {
            let secret =
                defaultSecret
                ? "API_SECRET '\(APIConfiguration.defaultNightscoutSecret)'"
                : "API_SECRET from api.nightscout_secret or api.token"
            lines.append(
                "  nightscout: \(base)/api/v1/entries.json (\(nightscout); header api-secret: SHA-1 hex of the \(secret))"
            )
        }
        lines.append(
            "  API:       \(base)/control/devices   (OpenAPI: \(base)/openapi.json)\(token ? " — needs Authorization: Bearer TOKEN" : "")"
        )
        lines.append("  health:    \(base)/healthz  \(base)/readyz   metrics: \(base)/metrics")
        lines.append("  Ctrl-C stops (links removed, traces flushed); kill -HUP \(getpid()) reloads the config")
        return lines.joined(separator: "\n")
    }
}
