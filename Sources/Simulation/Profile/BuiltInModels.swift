/// Built-in model factories; each model family adds its own in its directory.
let builtInFactories: [ModelFactory] = []
