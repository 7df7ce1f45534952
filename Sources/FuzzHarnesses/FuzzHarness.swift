/// One parser of outside input, exercised by libFuzzer (`make fuzz`) and by the regression
/// tests that replay the checked-in corpus (`fuzz/corpus/NAME`, `fuzz/regressions/NAME`).
///
/// A harness takes any bytes and must return: bad input becomes the parser's own error, never a
/// crash. A harness checks the parser's bounds itself (`precondition`), so a peer that could make
/// us buffer without limit is a crash that libFuzzer reports and minimises.
public struct FuzzHarness: Sendable {
    /// The name used on the command line and as the corpus folder.
    public let name: String
    /// What the harness drives.
    public let summary: String
    /// Runs one input.
    public let run: @Sendable (UnsafeRawBufferPointer) -> Void

    /// Every harness, in the order `make fuzz` runs them.
    public static let all: [FuzzHarness] = [.telnet, .pcapng, .profile, .config, .childPipe]

    /// The harness named `name`, if any.
    public static func named(_ name: String) -> FuzzHarness? { all.first { $0.name == name } }

    /// Runs `bytes` through the harness (for tests and corpus replay).
    public func run(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { run($0) }
    }
}
