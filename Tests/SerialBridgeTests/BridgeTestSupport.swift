import Foundation
import NIOCore
import NIOPosix
import SerialBridge
import SerialIO
import Synchronization

/// A TCP test client on 127.0.0.1 that collects what it receives.
final class TestClient: Sendable {
    let channel: any Channel
    private let box: Box

    private init(channel: any Channel, box: Box) {
        self.channel = channel
        self.box = box
    }

    /// Connects; with `reading: false` the client never reads (its socket buffers fill up).
    static func connect(port: Int, reading: Bool = true) async throws -> TestClient {
        let box = Box()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.autoRead, value: reading)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: reading ? 1 << 20 : 4096)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(CollectHandler(box: box))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return TestClient(channel: channel, box: box)
    }

    final class Box: Sendable { let bytes = Mutex<[UInt8]>([]) }

    final class CollectHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let box: Box
        init(box: Box) { self.box = box }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            box.bytes.withLock { $0 += buffer.readableBytesView }
        }
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    var bytes: [UInt8] { box.bytes.withLock { $0 } }

    /// Waits (up to `timeout`) until `condition` holds for the bytes received.
    func wait(timeout: Duration = .seconds(5), until condition: ([UInt8]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if box.bytes.withLock({ condition($0) }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return box.bytes.withLock { condition($0) }
    }

    func close() async { try? await channel.close() }
}

/// Collects a PTY endpoint's inbound bytes.
actor InboundCollector {
    private(set) var bytes: [UInt8] = []
    private var task: Task<Void, Never>?

    static func start(_ endpoint: PseudoTerminalEndpoint) async -> InboundCollector {
        let collector = InboundCollector()
        await collector.run(endpoint.inbound)
        return collector
    }

    private func run(_ stream: AsyncStream<[UInt8]>) {
        task = Task { for await chunk in stream { self.append(chunk) } }
    }

    private func append(_ chunk: [UInt8]) { bytes += chunk }

    func wait(timeout: Duration = .seconds(5), until condition: @Sendable ([UInt8]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(bytes) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(bytes)
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// A unique link path in the temporary directory.
func temporaryLink(_ name: String) -> String {
    NSTemporaryDirectory() + "devbridge-bridge-test-\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max))"
}
