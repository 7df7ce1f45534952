import ArgumentParser

/// `devbridge sim`: one virtual device on a PTY (wired up with the device runner).
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run one virtual device on a pseudo-terminal.")

    @Argument(help: "A profile path or shipped profile name.")
    var profile: String

    func run() async throws {
        throw ValidationFailure(message: "sim: not wired yet")
    }
}
