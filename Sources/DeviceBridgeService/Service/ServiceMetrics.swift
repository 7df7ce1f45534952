import Prometheus

/// Renders the Prometheus exposition for `/metrics` from the devices' and exports' current counters.
///
/// A fresh registry is filled at each scrape, so counters are the devices' own totals and
/// nothing drifts. Names:
/// - `devbridge_device_up{device}`, `devbridge_device_restarts_total{device}`
/// - `devbridge_endpoint_bytes_out_total{endpoint,kind}`, `devbridge_endpoint_bytes_in_total{endpoint,kind}`
///   (kind `pty` for a device's PTY, `tcp` for an export), `devbridge_endpoint_bytes_dropped_total{endpoint,kind}`
/// - `devbridge_endpoint_clients{endpoint,kind}`, `devbridge_endpoint_reconnects_total{endpoint,kind}`,
///   `devbridge_endpoint_errors_total{endpoint,kind}`
/// - `devbridge_device_virtual_time_seconds{device}`, `devbridge_device_speed{device}`
/// - `devbridge_signal{device,channel,unit}`: each channel's current simulated reading
/// - `devbridge_model_output{device,output}`: each model output (true, noise-free values)
public enum ServiceMetrics {
    /// The exposition text.
    public static func render(supervisor: DeviceSupervisor) async -> String {
        let registry = PrometheusCollectorRegistry()
        let devices = await supervisor.snapshots()
        for device in devices {
            let labels = [("device", device.name)]
            gauge(registry, "devbridge_device_up", labels: labels, help: "1 when the device runs")
                .set(Double(device.status == .running ? 1 : 0))
            counter(
                registry, "devbridge_device_restarts_total", labels: labels,
                help: "Restarts of a process-isolated device"
            ).increment(by: Int64(device.restarts))
            if let time = device.time {
                gauge(
                    registry, "devbridge_device_virtual_time_seconds", labels: labels,
                    help: "Virtual seconds since the profile start"
                ).set(time)
            }
            if let speed = device.clock?.speed {
                gauge(
                    registry, "devbridge_device_speed", labels: labels,
                    help: "Virtual seconds per wall second (0 paused)"
                ).set(device.clock?.paused == true ? 0 : speed)
            }
            let endpoint = [("endpoint", device.name), ("kind", "pty")]
            let counters = device.counters ?? DeviceSnapshot.Counters()
            endpointMetrics(
                registry, labels: endpoint, bytesIn: counters.bytesReceived, bytesOut: counters.bytesWritten,
                dropped: counters.bytesDropped, clients: nil, reconnects: counters.resets,
                errors: device.status == .failed ? 1 : 0)
            for channel in device.channels {
                guard let value = channel.value else { continue }
                gauge(
                    registry, "devbridge_signal",
                    labels: [("device", device.name), ("channel", channel.name), ("unit", channel.unit)],
                    help: "Current simulated reading of a device channel"
                ).set(value)
            }
            for (output, value) in device.outputs.sorted(by: { $0.key < $1.key }) {
                gauge(
                    registry, "devbridge_model_output", labels: [("device", device.name), ("output", output)],
                    help: "Current value of a model output (noise-free)"
                ).set(value)
            }
        }
        for export in await supervisor.exportSnapshots() {
            let counters = export.counters
            endpointMetrics(
                registry, labels: [("endpoint", export.name), ("kind", "tcp")], bytesIn: counters.bytesIn,
                bytesOut: counters.bytesOut, dropped: 0, clients: counters.clients, reconnects: counters.reconnects,
                errors: counters.errors + (export.status == .failed ? 1 : 0))
        }
        return registry.emitToString()
    }

    private static func gauge(
        _ registry: PrometheusCollectorRegistry, _ name: String, labels: [(String, String)], help: String
    ) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private static func counter(
        _ registry: PrometheusCollectorRegistry, _ name: String, labels: [(String, String)], help: String
    ) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private static func endpointMetrics(
        _ registry: PrometheusCollectorRegistry, labels: [(String, String)], bytesIn: Int, bytesOut: Int, dropped: Int,
        clients: Int?, reconnects: Int, errors: Int
    ) {
        counter(registry, "devbridge_endpoint_bytes_in_total", labels: labels, help: "Bytes received from clients")
            .increment(by: Int64(bytesIn))
        counter(registry, "devbridge_endpoint_bytes_out_total", labels: labels, help: "Bytes sent to clients")
            .increment(by: Int64(bytesOut))
        counter(
            registry, "devbridge_endpoint_bytes_dropped_total", labels: labels,
            help: "Bytes dropped (no reader, full buffer)"
        ).increment(by: Int64(dropped))
        if let clients {
            gauge(registry, "devbridge_endpoint_clients", labels: labels, help: "Clients connected now")
                .set(Double(clients))
        }
        counter(
            registry, "devbridge_endpoint_reconnects_total", labels: labels,
            help: "Client (re)connections or port opens"
        ).increment(by: Int64(reconnects))
        counter(registry, "devbridge_endpoint_errors_total", labels: labels, help: "Errors")
            .increment(by: Int64(errors))
    }
}
