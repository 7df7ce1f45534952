/// Telnet protocol bytes (RFC 854) and the options devbridge knows about.
public enum Telnet {
    /// Interpret As Command.
    public static let iac: UInt8 = 255
    /// Option negotiation verbs.
    public static let dont: UInt8 = 254
    /// Option negotiation verbs.
    public static let `do`: UInt8 = 253
    /// Option negotiation verbs.
    public static let wont: UInt8 = 252
    /// Option negotiation verbs.
    public static let will: UInt8 = 251
    /// Subnegotiation begin.
    public static let sb: UInt8 = 250
    /// Subnegotiation end.
    public static let se: UInt8 = 240
    /// No operation.
    public static let nop: UInt8 = 241
    /// Telnet BREAK (the NVT "break" key), mapped to a serial BREAK in telnet mode.
    public static let brk: UInt8 = 243

    /// Option BINARY (RFC 856).
    public static let optionBinary: UInt8 = 0
    /// Option ECHO (RFC 857).
    public static let optionEcho: UInt8 = 1
    /// Option SUPPRESS-GO-AHEAD (RFC 858).
    public static let optionSuppressGoAhead: UInt8 = 3
    /// Option COM-PORT-OPTION (RFC 2217).
    public static let optionComPort: UInt8 = 44
}
