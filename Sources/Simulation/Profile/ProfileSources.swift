/// Reads the files a profile refers to (CSV series), for ``ProfileLoader``.
///
/// `Simulation` does no I/O: whoever loads a profile hands in a resolver. The service's
/// `ProfileFiles` reads from disk relative to the profile; tests serve text from memory;
/// the fuzz harness gives none, so fuzz inputs never read a file.
public struct ProfileSources: Sendable {
    /// Returns the text of `reference`, the path exactly as the profile writes it (`cook.csv`).
    /// A thrown error's description ends up in the ``ProfileError`` that names the key at fault.
    public var read: @Sendable (_ reference: String) throws -> String

    /// Creates a resolver from a read function.
    public init(read: @escaping @Sendable (_ reference: String) throws -> String) {
        self.read = read
    }

    /// A file a resolver does not have.
    public struct Missing: Error, Sendable, CustomStringConvertible {
        public var reference: String
        public init(reference: String) { self.reference = reference }
        public var description: String { "no such file '\(reference)'" }
    }

    /// Serves the given texts by reference; any other reference throws ``Missing``.
    public static func inMemory(_ files: [String: String]) -> ProfileSources {
        ProfileSources { reference in
            guard let text = files[reference] else { throw Missing(reference: reference) }
            return text
        }
    }
}
