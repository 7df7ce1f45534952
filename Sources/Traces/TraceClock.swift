#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock and monotonic time in nanoseconds, as traces store them.
public enum TraceClock {
    /// Nanoseconds since the Unix epoch (CLOCK_REALTIME), the trace timestamp.
    public static func now() -> UInt64 { read(CLOCK_REALTIME) }

    /// Nanoseconds of CLOCK_MONOTONIC, for flush and replay deadlines.
    public static func monotonic() -> UInt64 { read(CLOCK_MONOTONIC) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
