import Foundation
import SerialIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("PTY symbolic links")
struct PTYLinkTests {
    @Test("a regular file at the link path is never replaced")
    func refusesToClobberRegularFile() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/ttyUSB0"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: SerialIOError.self) {
            _ = try await PseudoTerminalEndpoint.open(link: path)
        }
        #expect(error?.code == .linkPathOccupied)
        #expect(error?.message.contains(path) == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
    }

    @Test("the link points at the slave, replaces a stale link, and is removed on close")
    func linkLifecycle() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/ttyACM0"
        #expect(symlink("/dev/pts/nonexistent", path) == 0)
        let endpoint = try await PseudoTerminalEndpoint.open(link: path)
        #expect(endpoint.linkPath == path)
        #expect(PTYLink.target(of: path) == endpoint.slavePath)
        await endpoint.close()
        var info = stat()
        #expect(lstat(path, &info) != 0, "link must be gone after close")
        // No temporary links left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("a link re-pointed by someone else survives our close")
    func foreignLinkIsKept() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/ttyUSB1"
        let endpoint = try await PseudoTerminalEndpoint.open(link: path)
        try PTYLink.install(link: path, target: "/dev/null")
        await endpoint.close()
        #expect(PTYLink.target(of: path) == "/dev/null")
    }

    @Test("a missing link directory gives an error naming the path")
    func missingDirectory() async throws {
        let path = "/nonexistent-devbridge-dir/ttyUSB0"
        let error = await #expect(throws: SerialIOError.self) {
            _ = try await PseudoTerminalEndpoint.open(link: path)
        }
        #expect(error?.code == .linkFailed)
        #expect(error?.message.contains(path) == true)
    }

    @Test("the default per-user path lives in a private directory that exists")
    func defaultPath() throws {
        let path = try PTYLink.defaultPath(name: "smoker")
        #expect(path.hasSuffix("/devbridge/smoker") || path.hasSuffix("-\(getuid())/smoker"))
        var info = stat()
        let directory = String(path.dropLast("/smoker".count))
        #expect(lstat(directory, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFDIR)
        #expect(info.st_uid == getuid())
    }
}
