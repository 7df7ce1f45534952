import DevicePort
import SerialBridge
import SerialIO
import Traces

/// The ``ExportBackend`` of the SerialBridge module: raw, telnet and RFC 2217 exports with fan-out.
public struct SerialBridgeExportBackend: ExportBackend {
    /// Creates the backend.
    public init() {}

    public func start(
        name: String, source: ExportSource, spec: ExportSpec, baud: Int?, trace: String?
    ) async throws(ServiceError) -> any RunningExport {
        guard let mode = ExportMode(rawValue: spec.mode) else {
            throw ServiceError(.badRequest, "unknown export mode '\(spec.mode)'")
        }
        var recorder: TraceRecorder?
        if let trace {
            do {
                recorder = try TraceRecorder(path: trace)
            } catch {
                throw ServiceError(.startFailed, "trace: \(error)")
            }
        }
        let devicePath = source.name
        let configuration = ExportConfiguration(
            devicePath: devicePath, host: spec.listen.host, port: spec.listen.port, mode: mode,
            lineSettings: baud.map { LineSettings(baud: $0) },
            trace: recorder.map { TraceTap(recorder: $0, name: devicePath, description: "devbridge export \(name)") },
            busyPoll: spec.busyPollMicroseconds.map { .microseconds($0) } ?? ExportConfiguration.defaultBusyPoll)
        do {
            let server: ExportServer
            switch source {
            case .path:
                server = try await ExportServer.start(configuration)
            case .port(let port, let emulateBaudMismatch):
                server = try await ExportServer.start(
                    configuration, port: port, emulateBaudMismatch: emulateBaudMismatch)
            }
            return SerialBridgeExport(server: server, recorder: recorder)
        } catch {
            recorder?.close()
            throw ServiceError(.startFailed, "\(error)")
        }
    }
}

/// A running SerialBridge export.
struct SerialBridgeExport: RunningExport {
    let server: ExportServer
    let recorder: TraceRecorder?

    var port: Int { server.port }

    func counters() async -> ExportCounters {
        let statistics = await server.statistics()
        var counters = ExportCounters()
        counters.clients = statistics.clients
        counters.clientsAccepted = statistics.clientsAccepted
        counters.bytesIn = statistics.deviceBytesOut
        counters.bytesOut = statistics.deviceBytesIn
        counters.reconnects = statistics.deviceOpens
        counters.errors = statistics.clientsRefused + statistics.overflowDisconnects
        return counters
    }

    func stop() async {
        await server.stop()
        recorder?.close()
    }
}
