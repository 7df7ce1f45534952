import DeviceBridgeService
import Simulation
import Traces

extension FuzzHarness {
    /// A pcapng trace as `devbridge trace show` and `replay` read it.
    public static let pcapng = FuzzHarness(name: "pcapng", summary: "pcapng trace reader (PcapngReader)") { bytes in
        guard let result = try? PcapngReader.read(Array(bytes), path: "fuzz.pcapng") else { return }
        precondition(result.validLength <= bytes.count, "read past the end")
    }

    /// A profile as `devbridge profile check` reads it (YAML, then the profile model).
    /// No file resolver: a `csv:` reference in a fuzz input is an error, never a file read.
    public static let profile = FuzzHarness(name: "profile", summary: "profile YAML loader (ProfileLoader)") { bytes in
        _ = try? ProfileLoader.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", sources: nil)
    }

    /// A service configuration as `devbridge serve --config` reads it.
    public static let config = FuzzHarness(
        name: "config", summary: "service configuration loader (ServiceConfigurationLoader)"
    ) { bytes in
        _ = try? ServiceConfigurationLoader.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
    }

    /// The lines between the service and a process-isolated device's child (``ChildDeviceProtocol``):
    /// what the child reads on stdin (`:data`, `:port`, `:clock`) and what the service reads on the
    /// child's stdout (`data:`, `status:`). Each input is split into lines as both ends split them.
    public static let childPipe = FuzzHarness(
        name: "child-pipe", summary: "service <-> child device line protocol (ChildDeviceProtocol)"
    ) { bytes in
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let text = String(line)
            if let input = try? ChildDeviceProtocol.portInput(fromLine: text),
                case .data(let endpoint, let data) = input
            {
                precondition(endpoint > 0 && data.count <= text.utf8.count, "decoded more than the line held")
            }
            _ = try? ChildDeviceProtocol.clockAction(fromLine: text)
            if let data = ChildDeviceProtocol.data(fromLine: text) {
                precondition(data.count <= text.utf8.count, "decoded more than the line held")
            }
            _ = ChildDeviceProtocol.status(fromLine: text)
        }
    }
}
