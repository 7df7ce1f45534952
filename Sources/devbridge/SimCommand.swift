import ArgumentParser
struct SimCommand: AsyncParsableCommand {}
