import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Whether another process still holds a PTY slave open, read from `/proc/PID/fd`.
///
/// inotify coalesces identical events that were not read yet, so two quick opens (an app
/// that opens the port, then a `stty -F` on it while the first is still open) can arrive as
/// one, and the following close then looks like the last. ``ClientOpenTracker`` asks this
/// before it reports the port closed. Only other processes are looked at: this process
/// holds every PTY it serves (thousands of descriptors with many devices), and its own
/// in-process clients (an export of a mirror) open once and stay. Processes we may not
/// inspect (another user's, without privileges) are not seen: for them the inotify count
/// stands alone, as before.
enum SlaveHolders {
    /// True when a descriptor of another process refers to `path`.
    static func isHeldElsewhere(path: String) -> Bool {
        guard let processes = opendir("/proc") else { return false }
        defer { closedir(processes) }
        let me = getpid()
        var target = [CChar](repeating: 0, count: Int(PATH_MAX))
        while let entry = readdir(processes) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int32(name), pid != me else { continue }
            guard let descriptors = opendir("/proc/\(name)/fd") else { continue }
            defer { closedir(descriptors) }
            while let fd = readdir(descriptors) {
                let fdName = withUnsafeBytes(of: fd.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard fdName.first?.isNumber == true else { continue }
                let length = readlink("/proc/\(name)/fd/\(fdName)", &target, target.count - 1)
                guard length > 0 else { continue }
                let link = target.withUnsafeBufferPointer { buffer in
                    String(decoding: UnsafeRawBufferPointer(buffer).prefix(length), as: UTF8.self)
                }
                if link == path { return true }
            }
        }
        return false
    }
}
