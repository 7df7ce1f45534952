import Foundation

/// Whether any process still holds a PTY slave open, read from `/proc/PID/fd`.
///
/// inotify coalesces identical events that were not read yet, so two quick opens (an app
/// that opens the port, then a `stty -F` on it while the first is still open) can arrive as
/// one, and the following close then looks like the last. ``ClientOpenTracker`` asks this
/// before it reports the port closed. Processes we may not inspect (another user's, without
/// privileges) are not seen: for them the inotify count stands alone, as before.
enum SlaveHolders {
    /// True when a descriptor other than `ownDescriptor` of this process refers to `path`.
    static func isHeld(path: String, ownDescriptor: Int32) -> Bool {
        let files = FileManager.default
        let me = String(getpid())
        guard let processes = try? files.contentsOfDirectory(atPath: "/proc") else { return false }
        for process in processes where process.first?.isNumber == true {
            guard let descriptors = try? files.contentsOfDirectory(atPath: "/proc/\(process)/fd") else { continue }
            for descriptor in descriptors {
                if process == me && descriptor == String(ownDescriptor) { continue }
                if (try? files.destinationOfSymbolicLink(atPath: "/proc/\(process)/fd/\(descriptor)")) == path {
                    return true
                }
            }
        }
        return false
    }
}
