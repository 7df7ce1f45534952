import Simulation

/// A bounded, time-ordered history of CGM entries, with Nightscout-style queries. Pure value.
public struct CGMHistory: Sendable, Equatable {
    /// Default bound: 30 days of 5-minute readings.
    public static let defaultCapacity = 30 * 288

    /// Entries, oldest first.
    public private(set) var entries: [CGMEntry] = []
    /// At most this many entries are kept (the oldest are dropped).
    public let capacity: Int

    /// A Nightscout `entries` query: `find[date][$gte|$gt|$lte|$lt]` and `count`.
    public struct Query: Sendable, Equatable {
        /// Maximum number of entries (newest first); `nil` → 10, as Nightscout; 0 → all.
        public var count: Int?
        /// `find[date][$gte]`, epoch ms.
        public var dateGTE: Int64?
        /// `find[date][$gt]`, epoch ms.
        public var dateGT: Int64?
        /// `find[date][$lte]`, epoch ms.
        public var dateLTE: Int64?
        /// `find[date][$lt]`, epoch ms.
        public var dateLT: Int64?

        /// Nightscout's default page size.
        public static let defaultCount = 10

        public init(
            count: Int? = nil, dateGTE: Int64? = nil, dateGT: Int64? = nil, dateLTE: Int64? = nil, dateLT: Int64? = nil
        ) {
            self.count = count
            self.dateGTE = dateGTE
            self.dateGT = dateGT
            self.dateLTE = dateLTE
            self.dateLT = dateLT
        }

        /// Whether `entry` passes the date filters.
        public func matches(_ entry: CGMEntry) -> Bool {
            if let dateGTE, entry.date < dateGTE { return false }
            if let dateGT, entry.date <= dateGT { return false }
            if let dateLTE, entry.date > dateLTE { return false }
            if let dateLT, entry.date >= dateLT { return false }
            return true
        }
    }

    /// Creates an empty history keeping at most `capacity` entries.
    public init(capacity: Int = CGMHistory.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Appends an entry (entries must come in time order; an entry not newer than the last is ignored).
    public mutating func append(_ entry: CGMEntry) {
        if let last = entries.last, entry.date <= last.date { return }
        entries.append(entry)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// The newest entry.
    public var latest: CGMEntry? { entries.last }

    /// Entries matching `query`, newest first.
    public func query(_ query: Query) -> [CGMEntry] {
        let limit = query.count ?? Query.defaultCount
        var result: [CGMEntry] = []
        for entry in entries.reversed() where query.matches(entry) {
            result.append(entry)
            if limit > 0 && result.count >= limit { break }
        }
        return result
    }
}
