/// pcapng link types used by devbridge.
public enum TraceLinkType {
    /// Raw serial bytes: LINKTYPE_USER0 (147), private to devbridge. Each
    /// packet's data is exactly the bytes of one read or write, nothing else.
    public static let serial: UInt16 = 147
    /// Event text (open, close, line settings…): LINKTYPE_USER1 (148). Each
    /// packet's data is UTF-8 `"<interface name>: <event>"` (see `TraceEvent`).
    public static let events: UInt16 = 148
    /// Name of the interface that carries the events.
    public static let eventsInterfaceName = "events"
}
