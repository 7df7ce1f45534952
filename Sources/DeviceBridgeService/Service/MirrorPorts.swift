import Logging
import SerialIO
import Synchronization

/// Extra PTYs that repeat a virtual device's output, one per TCP export.
///
/// Two readers on one PTY split its bytes between them, so each export of a device needs its
/// own port, and the device's PTY (its link) stays the app's: every export opens a mirror PTY
/// that gets every line the device prints, and whose input goes to the device. Each mirror
/// emulates a baud mismatch on its own, so a client at the wrong baud garbles only its own
/// output. (Until the in-process device port of issue 15 replaces them.)
final class MirrorPorts: Sendable {
    private let endpoints = Mutex<[PseudoTerminalEndpoint]>([])

    /// Repeats device output on every mirror (the runner's `onOutput` hook).
    func broadcast(_ bytes: [UInt8]) {
        for endpoint in endpoints.withLock({ $0 }) { _ = endpoint.write(bytes) }
    }

    /// Opens a mirror PTY at the device's line settings; its input goes to `runner`. With
    /// `emulateMismatch`, an export that sets another baud on it reads (and writes) garbage.
    func open(
        settings: LineSettings, runner: VirtualDeviceRunner, emulateMismatch: Bool, logger: Logger
    ) async throws -> String {
        let endpoint = try await PseudoTerminalEndpoint.open(
            link: nil, lineSettings: settings, options: .init(emulateLineMismatch: emulateMismatch), logger: logger)
        endpoints.withLock { $0.append(endpoint) }
        Task {
            for await bytes in endpoint.inbound { runner.receive(bytes) }
        }
        return endpoint.slavePath
    }

    /// Closes every mirror.
    func closeAll() async {
        let all = endpoints.withLock { endpoints in
            defer { endpoints = [] }
            return endpoints
        }
        for endpoint in all { await endpoint.close() }
    }
}
