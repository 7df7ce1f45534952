// swift-tools-version:6.0
import PackageDescription

/// devbridge: bridges host serial/USB/BLE devices into VMs and provides
/// virtual devices on pseudo-terminals. See docs/ and ../shared/DESIGN.md.
let package = Package(
    name: "devbridge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "devbridge", targets: ["devbridge"]),
        .executable(name: "devbridge-bench", targets: ["DevbridgeBench"]),
        .executable(name: "devbridge-fuzz", targets: ["DevbridgeFuzz"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "VirtualDevices", targets: ["VirtualDevices"]),
        .library(name: "SerialIO", targets: ["SerialIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // C shim: PTYs, termios2 (any baud), modem lines, inotify.
        .target(name: "CLinuxSupport"),
        // Pure simulation: virtual clock, profiles, models, noise, events. No I/O, no wall clock.
        .target(name: "Simulation", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Protocol codecs: simulation state <-> device bytes. Pure.
        .target(name: "VirtualDevices", dependencies: ["Simulation"]),
        // Profile tools: CSV/JSONL sample writers and the SVG plotter. Pure.
        .target(name: "ProfileTools", dependencies: ["Simulation"]),
        // PTYs and serial ports on NIO.
        .target(
            name: "SerialIO",
            dependencies: [
                "CLinuxSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // pcapng traces: writer, tolerant reader, taps, replay engine.
        // The device port: one device, in process, served to any number of endpoints.
        .target(
            name: "DevicePort",
            dependencies: [
                "SerialIO",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Traces",
            dependencies: [
                "SerialIO", "DevicePort",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Serial over TCP: raw, telnet and RFC 2217 exports with fan-out; the guest-side attach.
        .target(
            name: "SerialBridge",
            dependencies: [
                "CLinuxSupport", "SerialIO", "Traces", "DevicePort",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libudev (Debian libudev-dev) for Discovery.
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        // Host devices through libudev: enumeration with identity, match rules, hotplug monitor.
        .target(
            name: "Discovery",
            dependencies: [
                "CUdev",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Wiring, lifecycle, device runners.
        .target(
            name: "DeviceBridgeService",
            dependencies: [
                "Simulation", "VirtualDevices", "SerialIO", "ProfileTools", "Traces", "SerialBridge", "Discovery",
                "DevicePort",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The executable: argument parsing only.
        .executableTarget(
            name: "devbridge",
            dependencies: [
                "DeviceBridgeService", "Simulation", "ProfileTools", "Traces", "SerialIO", "VirtualDevices",
                "SerialBridge", "Discovery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks (run by bench/*.sh in release mode; never timed in tests).
        .executableTarget(
            name: "DevbridgeBench",
            dependencies: [
                "Simulation", "VirtualDevices", "DeviceBridgeService",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libFuzzer harnesses for every parser of outside input (`make fuzz`, docs/fuzzing.md).
        .target(
            name: "FuzzHarnesses",
            dependencies: [
                "SerialBridge", "Traces", "Simulation", "DeviceBridgeService",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // Declares libFuzzer's driver entry point for the fuzzing build of devbridge-fuzz.
        .target(name: "CFuzzing"),
        // The fuzzer binary: libFuzzer under `make fuzz`, a corpus replayer otherwise.
        .executableTarget(name: "DevbridgeFuzz", dependencies: ["FuzzHarnesses", "CFuzzing"]),
        .testTarget(name: "FuzzHarnessesTests", dependencies: ["FuzzHarnesses"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"]),
        .testTarget(name: "VirtualDevicesTests", dependencies: ["VirtualDevices", "Simulation"]),
        .testTarget(name: "ProfileToolsTests", dependencies: ["ProfileTools", "Simulation"]),
        .testTarget(name: "SerialIOTests", dependencies: ["SerialIO", "CLinuxSupport"]),
        .testTarget(name: "DevicePortTests", dependencies: ["DevicePort", "SerialIO"]),
        .testTarget(name: "TracesTests", dependencies: ["Traces", "SerialIO", "DevicePort"]),
        .testTarget(
            name: "SerialBridgeTests",
            dependencies: [
                "SerialBridge", "SerialIO", "Traces", "DevicePort",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "DiscoveryTests", dependencies: ["Discovery", "CUdev"]),
        .testTarget(
            name: "DevbridgeTests",
            dependencies: [
                "DeviceBridgeService", "Simulation", "SerialIO", "CLinuxSupport", "VirtualDevices", "DevicePort",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
