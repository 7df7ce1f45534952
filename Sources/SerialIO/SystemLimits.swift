#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Errors that name the system limit at fault and how to raise it, for the
/// resources each endpoint needs: three descriptors, a PTY pair and an
/// inotify watch (the process shares one inotify instance).
enum SystemLimits {
    /// The current value of a sysctl under /proc/sys (e.g.
    /// `fs.inotify.max_user_watches`), or "?" when unreadable.
    static func sysctl(_ name: String) -> String {
        let path = "/proc/sys/" + String(name.map { $0 == "." ? "/" : $0 })
        guard let file = fopen(path, "r") else { return "?" }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return "?" }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.filter { !$0.isWhitespace }
    }

    /// The soft limit on open descriptors (`ulimit -n`).
    static func openFileLimit() -> String {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return "?" }
        return limit.rlim_cur == rlim_t.max ? "unlimited" : "\(limit.rlim_cur)"
    }

    static func descriptorHint(_ errno: Int32) -> String? {
        switch errno {
        case EMFILE:
            return "this process reached its limit of open files (ulimit -n, now \(openFileLimit())); "
                + "each endpoint uses three descriptors; raise the limit (ulimit -n, LimitNOFILE=)"
        case ENFILE:
            return "the system-wide limit of open files is reached (fs.file-max, now \(sysctl("fs.file-max")))"
        default:
            return nil
        }
    }

    /// Allocating a pseudo-terminal failed.
    static func ptyError(errno: Int32) -> SerialIOError {
        var message = "cannot open a pseudo-terminal (/dev/ptmx)"
        if let hint = descriptorHint(errno) {
            message += ": " + hint
        } else if errno == ENOSPC {
            message +=
                ": no PTY left (kernel.pty.max, now \(sysctl("kernel.pty.max")), "
                + "\(sysctl("kernel.pty.nr")) in use); raise it with sysctl -w kernel.pty.max=N"
        }
        return SerialIOError(code: .ptyOpenFailed, message: message, path: "/dev/ptmx", errno: errno)
    }

    /// Creating the process's inotify instance failed.
    static func inotifyInstanceError(path: String, errno: Int32) -> SerialIOError {
        var message = "cannot create an inotify instance to watch \(path)"
        if errno == EMFILE {
            message +=
                ": this user reached fs.inotify.max_user_instances (now "
                + "\(sysctl("fs.inotify.max_user_instances")); other processes hold them; devbridge needs one "
                + "per process) or this process its limit of open files (ulimit -n, now \(openFileLimit())); "
                + "raise it with sysctl -w fs.inotify.max_user_instances=N"
        } else if let hint = descriptorHint(errno) {
            message += ": " + hint
        }
        return SerialIOError(code: .watchFailed, message: message, path: path, errno: errno)
    }

    /// Adding the inotify watch of one slave failed.
    static func watchError(path: String, errno: Int32) -> SerialIOError {
        var message = "cannot watch \(path) with inotify"
        if errno == ENOSPC {
            message +=
                ": this user reached fs.inotify.max_user_watches (now "
                + "\(sysctl("fs.inotify.max_user_watches")); one per endpoint); "
                + "raise it with sysctl -w fs.inotify.max_user_watches=N"
        }
        return SerialIOError(code: .watchFailed, message: message, path: path, errno: errno)
    }
}
