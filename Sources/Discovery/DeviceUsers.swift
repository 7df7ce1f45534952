import Foundation

/// A process that has a device node open (found through `/proc/PID/fd`).
public struct DeviceUser: Sendable, Hashable, Codable {
    /// The process ID.
    public var pid: Int32
    /// Its command line, arguments joined by spaces (`devbridge export --match … --listen …`).
    public var command: String

    /// Creates a record.
    public init(pid: Int32, command: String) {
        self.pid = pid
        self.command = command
    }
}

/// Finds which processes hold device nodes open, like `fuser`, by scanning `/proc/*/fd`: an open
/// file counts when its path is the node (or where the node's symbolic link points) or when it is
/// the same character device.
/// Processes of other users are invisible without privileges; they are skipped silently.
public enum DeviceUsers {
    /// For each of `devnodes` that some process has open, the processes (sorted by pid).
    public static func scan(devnodes: [String], proc: String = "/proc") -> [String: [DeviceUser]] {
        var wanted: [dev_t: String] = [:]
        var wantedPaths: [String: String] = [:]
        for node in devnodes {
            wantedPaths[node] = node
            wantedPaths[MatchedDeviceLink.nodePath(node)] = node
            var info = stat()
            if stat(node, &info) == 0, (info.st_mode & S_IFMT) == S_IFCHR { wanted[info.st_rdev] = node }
        }
        guard !wantedPaths.isEmpty else { return [:] }
        var users: [String: [DeviceUser]] = [:]
        let fileManager = FileManager.default
        let pids = ((try? fileManager.contentsOfDirectory(atPath: proc)) ?? []).compactMap { Int32($0) }.sorted()
        for pid in pids where pid != getpid() {
            let fdDirectory = "\(proc)/\(pid)/fd"
            guard let fds = try? fileManager.contentsOfDirectory(atPath: fdDirectory) else { continue }
            var found = Set<String>()
            for fd in fds {
                let path = "\(fdDirectory)/\(fd)"
                if let node = wantedPaths[MatchedDeviceLink.nodePath(path)] {
                    found.insert(node)
                    continue
                }
                var info = stat()
                guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFCHR, let node = wanted[info.st_rdev]
                else { continue }
                found.insert(node)
            }
            guard !found.isEmpty else { continue }
            let user = DeviceUser(pid: pid, command: commandLine(pid: pid, proc: proc))
            for node in found { users[node, default: []].append(user) }
        }
        return users
    }

    static func commandLine(pid: Int32, proc: String) -> String {
        guard let data = FileManager.default.contents(atPath: "\(proc)/\(pid)/cmdline"), !data.isEmpty else {
            return (try? String(contentsOfFile: "\(proc)/\(pid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }
}
