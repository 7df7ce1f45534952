import ServiceLifecycle

/// Emits a ``ChildDeviceProtocol`` status line for a runner every `interval` seconds of wall
/// time, until graceful shutdown: what `devbridge sim --status-interval` prints for the service.
public struct DeviceStatusReporter: Service {
    private let runner: VirtualDeviceRunner
    private let configuration: VirtualDeviceConfiguration
    private let interval: Duration
    private let emit: @Sendable (String) -> Void
    private let baud: @Sendable () -> Int?

    /// Creates a reporter; `baud` gives the PTY's baud once it is open.
    public init(
        runner: VirtualDeviceRunner, configuration: VirtualDeviceConfiguration, interval: Duration,
        baud: @escaping @Sendable () -> Int?, emit: @escaping @Sendable (String) -> Void
    ) {
        self.runner = runner
        self.configuration = configuration
        self.interval = interval
        self.baud = baud
        self.emit = emit
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var snapshot = DeviceSnapshot(configuration: configuration, status: .running)
                snapshot.fillLive(from: runner, speed: configuration.speed)
                snapshot.baud = baud()
                emit(ChildDeviceProtocol.statusLine(snapshot))
                try? await Task.sleep(for: interval)
            }
        }
    }
}
