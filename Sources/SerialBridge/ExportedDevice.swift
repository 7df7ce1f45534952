import NIOCore

/// What an ``ExportHub`` serves: a host tty opened by path (``SerialDevice``) or an endpoint on
/// an in-process device port (``PortDevice``). Event-loop bound: every member is used on
/// ``eventLoop`` only. The RFC 2217 handler drives it through ``ComPortTarget``.
protocol ExportedDevice: AnyObject, ComPortTarget {
    /// The loop the device and the hub's clients live on.
    var eventLoop: any EventLoop { get }
    /// A name for logs (a tty path or a device name).
    var displayName: String { get }

    /// Called with every chunk the device produced.
    var onRead: (ByteBuffer) -> Void { get set }
    /// Called after a batch of device reads.
    var onReadComplete: () -> Void { get set }
    /// Called when the device opens (true) or goes away (false).
    var onStateChange: (Bool) -> Void { get set }
    /// Called when the modem lines (RFC 2217 high nibble) change.
    var onModemLines: (UInt8) -> Void { get set }
    /// Called with NOTIFY-LINESTATE error bits when the UART counted receive errors.
    var onLineErrors: (UInt8) -> Void { get set }
    /// Called when writes to the device back up (false) or drain (true).
    var onWritable: (Bool) -> Void { get set }

    /// Times the device was opened.
    var opens: Int { get }
    /// False while writes to the device are backed up.
    var isWritable: Bool { get }
    /// Bytes written and not yet taken by the device.
    var queuedBytes: Int { get }

    /// Starts keeping the device open.
    func start()
    /// Stops keeping the device open.
    func stop()
    /// Writes a client's chunk whole; false when the device is absent.
    func write(_ buffer: ByteBuffer) -> Bool
    /// Flushes what ``write(_:)`` queued.
    func flush()
    /// The hub's client count changed (a port endpoint then says whether anyone reads).
    func clientsChanged(_ count: Int)
}

extension ExportedDevice {
    func clientsChanged(_ count: Int) {}
}
