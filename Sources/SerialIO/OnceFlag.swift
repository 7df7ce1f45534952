import Synchronization

/// A set-once flag, safe from any thread.
final class OnceFlag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Sets the flag; returns true if it was clear (the caller won).
    func setIfClear() -> Bool {
        value.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}
