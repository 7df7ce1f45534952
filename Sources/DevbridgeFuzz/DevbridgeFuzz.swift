import Foundation
import FuzzHarnesses

#if DEVBRIDGE_LIBFUZZER
    import CFuzzing
#endif

// `devbridge-fuzz HARNESS [ARGUMENTS…]` runs one of the `FuzzHarness`es.
//
// Built by `make fuzz` with `-sanitize=fuzzer,address -DDEVBRIDGE_LIBFUZZER`, `main` hands the
// process to libFuzzer's driver, which first calls `LLVMFuzzerInitialize`: that takes the harness
// name off the arguments, and the rest are libFuzzer's (`-max_total_time=30 fuzz/corpus/telnet`).
// (Should the linker pick libFuzzer's own `main` instead, the same two callbacks serve it.) Built plainly,
// as `swift build` does, it replays the files and folders it is given through the harness, which
// is how a crash file from a fuzzing run is reproduced in a debugger.

/// The harness named by the first argument; exits with the usage when there is none.
private func harness(named name: String?) -> FuzzHarness {
    if let name, let harness = FuzzHarness.named(name) { return harness }
    let names = FuzzHarness.all.map { "  \($0.name)\t\($0.summary)" }.joined(separator: "\n")
    FileHandle.standardError.write(
        Data("usage: devbridge-fuzz HARNESS [libFuzzer flags] [CORPUS…]\nharnesses:\n\(names)\n".utf8))
    exit(2)
}

#if DEVBRIDGE_LIBFUZZER
    /// The harness chosen on the command line (libFuzzer's callbacks cannot capture it).
    nonisolated(unsafe) private var selected: FuzzHarness?

    /// libFuzzer calls this before it reads its flags: take the harness name out of the arguments.
    @_cdecl("LLVMFuzzerInitialize")
    public func fuzzerInitialize(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
    ) -> Int32 {
        guard let arguments = argv.pointee else { return 0 }
        let count = Int(argc.pointee)
        selected = harness(named: count > 1 ? arguments[1].map { String(cString: $0) } : nil)
        for index in 1..<count { arguments[index] = arguments[index + 1] }  // argv[argc] is NULL
        argc.pointee -= 1
        return 0
    }

    /// libFuzzer's callback: one input through the chosen harness.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        selected?.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    /// Runs libFuzzer's driver with the process's arguments.
    @main
    enum DevbridgeFuzz {
        static func main() {
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzerTestOneInput(data, size) })
        }
    }
#else
    /// Replays inputs through a harness, without libFuzzer.
    @main
    enum DevbridgeFuzz {
        static func main() {
            let arguments = CommandLine.arguments
            exit(replay(Array(arguments.dropFirst(2)), harness: harness(named: arguments.dropFirst().first)))
        }

        /// Replays every file named, or found in a folder named; returns the exit status.
        static func replay(_ paths: [String], harness: FuzzHarness) -> Int32 {
            var files: [String] = []
            for path in paths {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                    FileHandle.standardError.write(Data("devbridge-fuzz: no such file or folder '\(path)'\n".utf8))
                    return 1
                }
                if isFolder.boolValue {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                    files += names.sorted().map { "\(path)/\($0)" }
                } else {
                    files.append(path)
                }
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                harness.run(Array(data))
            }
            print("devbridge-fuzz: \(harness.name): replayed \(files.count) inputs without a crash")
            return 0
        }
    }
#endif
