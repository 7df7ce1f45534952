import Synchronization
import VirtualDevices

/// The Nightscout history: a ``CGMHistory`` filled by subscribing to a running ``CGMDevice``
/// (``subscriber``) and read by the Nightscout routes. Thread-safe (a `Mutex`); it outlives
/// the device's restarts.
public final class CGMHistoryStore: Sendable {
    private let state: Mutex<CGMHistory>

    /// Creates an empty store keeping at most `capacity` entries.
    public init(capacity: Int = CGMHistory.defaultCapacity) {
        state = Mutex(CGMHistory(capacity: capacity))
    }

    /// Appends an entry.
    public func append(_ entry: CGMEntry) {
        state.withLock { $0.append(entry) }
    }

    /// A ``CGMDevice`` subscriber that appends each new reading here.
    public var subscriber: CGMDevice.Subscriber {
        { [self] entry in append(entry) }
    }

    /// Entries matching `query`, newest first.
    public func query(_ query: CGMHistory.Query) -> [CGMEntry] {
        state.withLock { $0.query(query) }
    }

    /// The newest entry.
    public var latest: CGMEntry? { state.withLock { $0.latest } }

    /// A copy of the whole history.
    public var history: CGMHistory { state.withLock { $0 } }
}
