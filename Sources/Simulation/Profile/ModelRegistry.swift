/// Builds physical models from the `model:` section of a profile.
public struct ModelFactory: Sendable {
    /// The `type:` value (`smoker`, `glucose`).
    public var type: String
    public var summary: String
    /// Decodes the model mapping (its `type` key already consumed) and builds the model.
    /// The reader's `finish()` is called by the loader afterwards to reject unknown keys.
    public var build:
        @Sendable (_ reader: inout MappingReader, _ clock: ClockSpec) throws(ProfileError) -> any PhysicalModel

    public init(
        type: String, summary: String,
        build:
            @escaping @Sendable (_ reader: inout MappingReader, _ clock: ClockSpec) throws(ProfileError) ->
            any PhysicalModel
    ) {
        self.type = type
        self.summary = summary
        self.build = build
    }
}

/// The registered model types.
public enum ModelRegistry {
    /// Every built-in model factory.
    public static let factories: [ModelFactory] = builtInFactories

    /// The factory for `type`.
    public static func factory(for type: String) -> ModelFactory? {
        factories.first { $0.type == type }
    }
}
