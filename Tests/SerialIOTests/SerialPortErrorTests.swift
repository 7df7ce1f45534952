import CLinuxSupport
import SerialIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("SerialPort throws SerialIOError naming the path")
struct SerialPortErrorTests {
    @Test("an absent device is openFailed, with the path and the system's text")
    func absent() {
        let path = "/dev/devbridge-no-such-tty"
        let error = #expect(throws: SerialIOError.self) { try SerialPort.open(path: path) }
        #expect(error?.code == .openFailed)
        #expect(error?.path == path)
        #expect(error?.errno == ENOENT)
        #expect(error?.message.contains(path) == true)
        #expect(error?.description.contains("No such file or directory") == true)
    }

    @Test("a file that is not a tty is notATerminal")
    func notATerminal() {
        let error = #expect(throws: SerialIOError.self) { try SerialPort.open(path: "/dev/null") }
        #expect(error?.code == .notATerminal)
        #expect(error?.message.contains("/dev/null") == true)
    }

    @Test("an ioctl a PTY lacks is controlFailed and names the slave")
    func controlFailed() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        try #require(devbridge_pty_open(&master, &slave, &name, name.count) == 0)
        defer {
            close(slave)
            close(master)
        }
        let path = String(cString: name)
        let port = try SerialPort.open(path: path)
        defer { port.close() }
        let error = #expect(throws: SerialIOError.self) { try port.lineErrorCounts() }
        #expect(error?.code == .controlFailed)
        #expect(error?.path == path)
        #expect(error?.message.contains(path) == true)
    }
}
