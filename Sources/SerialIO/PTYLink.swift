#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The symbolic link through which apps find a PTY (`/dev/ttyUSB0`, or a
/// per-user path): created atomically, never clobbering a real file, and
/// removed only while it still points at the PTY it was made for.
public enum PTYLink {
    /// The default per-user link path for a device called `name`:
    /// `$XDG_RUNTIME_DIR/devbridge/<name>` when `XDG_RUNTIME_DIR` is set,
    /// else `/tmp/devbridge-<uid>/<name>`. The directory is created
    /// (mode 0700) if missing; a `/tmp` directory that is not ours is refused.
    public static func defaultPath(name: String) throws(SerialIOError) -> String {
        let directory: String
        if let runtime = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), !runtime.isEmpty {
            directory = runtime + "/devbridge"
        } else {
            directory = "/tmp/devbridge-\(getuid())"
        }
        try ensurePrivateDirectory(directory)
        return directory + "/" + name
    }

    /// Points `link` at `target` atomically: a symbolic link with a temporary
    /// name in the same directory is renamed over `link`. An existing symbolic
    /// link is replaced; anything else at `link` is refused with
    /// `linkPathOccupied`.
    public static func install(link: String, target: String) throws(SerialIOError) {
        var info = stat()
        if lstat(link, &info) == 0, info.st_mode & S_IFMT != S_IFLNK {
            throw SerialIOError(
                code: .linkPathOccupied,
                message: "refusing to replace \(link): it exists and is not a symbolic link", path: link)
        }
        let directory = parentDirectory(of: link)
        let base = link.split(separator: "/").last.map(String.init) ?? "link"
        let temporary = "\(directory)/.\(base).devbridge-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard symlink(target, temporary) == 0 else {
            let code = errno
            throw SerialIOError(
                code: .linkFailed, message: "cannot create a symbolic link in \(directory) for \(link)",
                path: link, errno: code)
        }
        guard rename(temporary, link) == 0 else {
            let code = errno
            unlink(temporary)
            throw SerialIOError(
                code: .linkFailed, message: "cannot create the symbolic link \(link)", path: link, errno: code)
        }
    }

    /// The target `link` points at, or nil if it is not a symbolic link.
    public static func target(of link: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(link, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes `link` if it is a symbolic link to `target`; returns whether it did.
    @discardableResult
    public static func removeIfPointing(link: String, to target: String) -> Bool {
        guard self.target(of: link) == target else { return false }
        return unlink(link) == 0
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func ensurePrivateDirectory(_ directory: String) throws(SerialIOError) {
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            let code = errno
            throw SerialIOError(
                code: .linkFailed, message: "cannot create the directory \(directory)", path: directory, errno: code)
        }
        var info = stat()
        guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else {
            throw SerialIOError(
                code: .linkFailed,
                message: "\(directory) is not a directory owned by this user; refusing to put links there",
                path: directory)
        }
    }
}
