/// Something that happened on a PTY endpoint's slave side, as the
/// simulated device would notice it.
public enum PTYEvent: Sendable, Equatable {
    /// A client opened the port while nobody else had it open (the moment a
    /// real board sees DTR rise and resets). Writes while nobody had the port
    /// open were dropped, so nothing stale waits for the new client.
    case opened
    /// The last client closed the port.
    case closed
    /// A client changed the line settings (baud, framing) of the port.
    case lineSettingsChanged(LineSettings)
}
