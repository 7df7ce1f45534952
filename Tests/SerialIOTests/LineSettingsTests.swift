import CLinuxSupport
import SerialIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("LineSettings and the termios2 shim")
struct LineSettingsTests {
    /// Linux PTYs force CS8 and clear PARENB (pty_set_termios), so on a PTY
    /// only the baud (any value) and the stop bits round-trip.
    @Test("baud and stop bits round-trip through TCSETS2/TCGETS2 on a PTY; data bits and parity read 8N")
    func roundTrip() throws {
        try withPTYSlave { slave in
            for parity in Parity.allCases {
                for stopBits in StopBits.allCases {
                    for (baud, dataBits) in [(300, 5), (9600, 7), (250_000, 8), (31_337, 6), (3_000_000, 8)] {
                        let settings = LineSettings(baud: baud, dataBits: dataBits, parity: parity, stopBits: stopBits)
                        try settings.apply(fileDescriptor: slave, makeRaw: true)
                        let back = try LineSettings.read(fileDescriptor: slave)
                        var expected = settings
                        expected.dataBits = 8
                        expected.parity = .none
                        #expect(back == expected, "wrote \(settings), read \(back)")
                    }
                }
            }
        }
    }

    @Test("a standard rate is set with its Bxxx code, so the legacy termios (stty, cfgetospeed) shows it")
    func standardRatesKeepTheirCode() throws {
        try withPTYSlave { slave in
            for (baud, code) in [(9600, speed_t(B9600)), (115_200, speed_t(B115200)), (250_000, speed_t(0o010000))] {
                try LineSettings(baud: baud).apply(fileDescriptor: slave, makeRaw: true)
                var legacy = termios()
                #expect(tcgetattr(slave, &legacy) == 0)
                #expect(cfgetospeed(&legacy) == code, "\(baud) baud")  // 0o010000 is BOTHER: no standard code
                #expect(try LineSettings.read(fileDescriptor: slave).baud == baud)
            }
        }
    }

    /// Runs `body` with the slave of a new PTY pair, closed afterwards.
    private func withPTYSlave(_ body: (Int32) throws -> Void) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        try #require(devbridge_pty_open(&master, &slave, &name, name.count) == 0)
        defer {
            close(slave)
            close(master)
        }
        try body(slave)
    }

    @Test("invalid settings are refused with a clear code")
    func invalid() {
        #expect(throws: SerialIOError.self) { try LineSettings(baud: 9600, dataBits: 9).validate() }
        #expect(throws: SerialIOError.self) { try LineSettings(baud: 0).validate() }
        #expect(LineSettings(baud: 9600, dataBits: 7, parity: .even, stopBits: .two).description == "9600 7E2")
        #expect(LineSettings.default9600.bitsPerFrame == 10)
    }

    @Test("reading a closed descriptor names it in the error")
    func readError() {
        let error = #expect(throws: SerialIOError.self) {
            try LineSettings.read(fileDescriptor: -1, path: "/dev/ttyUSB9")
        }
        #expect(error?.code == .lineSettingsFailed)
        #expect(error?.message.contains("/dev/ttyUSB9") == true)
    }
}
