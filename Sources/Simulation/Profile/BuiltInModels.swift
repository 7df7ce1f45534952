/// Built-in model factories; each model family defines its own next to the model.
let builtInFactories: [ModelFactory] = [SmokerModel.factory, GlucoseModel.factory]
