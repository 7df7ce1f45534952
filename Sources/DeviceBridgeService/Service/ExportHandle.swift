import Synchronization

/// One configured export and its running server, if started.
final class ExportHandle: Sendable {
    let name: String
    let spec: ExportSpec
    private struct State {
        var status = ExportStatus.stopped
        var error: String?
        var device: String?
        var running: (any RunningExport)?
        var counters = ExportCounters()
    }
    private let state = Mutex(State())

    init(name: String, spec: ExportSpec) {
        self.name = name
        self.spec = spec
    }

    /// Starts serving `source`; failures are kept in the state, not thrown.
    func start(backend: any ExportBackend, source: ExportSource, baud: Int?, trace: String?) async {
        state.withLock {
            $0.status = .starting
            $0.device = source.name
            $0.error = nil
        }
        do {
            let running = try await backend.start(
                name: name, source: source, spec: spec, baud: baud, trace: trace)
            state.withLock {
                $0.running = running
                $0.status = .running
            }
        } catch {
            state.withLock {
                $0.status = error.code == .unavailable ? .unavailable : .failed
                $0.error = error.description
            }
        }
    }

    /// Marks the export as starting (before its server is started asynchronously).
    func markStarting() {
        state.withLock { $0.status = .starting }
    }

    /// Marks the export as waiting for something (e.g. discovery), with a reason.
    func markUnavailable(_ reason: String) {
        state.withLock {
            $0.status = .unavailable
            $0.error = reason
        }
    }

    func stop() async {
        let running = state.withLock { state -> (any RunningExport)? in
            let running = state.running
            state.running = nil
            if state.status != .unavailable { state.status = .stopped }
            return running
        }
        if let running {
            let last = await running.counters()
            await running.stop()
            state.withLock { $0.counters = last }
        }
    }

    func snapshot() async -> ExportSnapshot {
        let (running, base) = state.withLock { ($0.running, $0) }
        let counters = await running?.counters() ?? base.counters
        return ExportSnapshot(
            name: name, device: base.device, mode: spec.mode, listen: spec.listen.description, port: running?.port,
            status: base.status, error: base.error, counters: counters)
    }
}
