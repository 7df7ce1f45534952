import ArgumentParser

/// The `devbridge` command line. Argument parsing only; the work happens in the library modules.
@main
struct Devbridge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devbridge",
        abstract: "Virtual serial devices driven by realistic profiles, and bridges for host devices into VMs.",
        discussion: """
            Quick start:
              devbridge profile run smoker-brisket --until 16h --every 10m   # fast-forward a cook to CSV
              devbridge profile plot smoker-brisket --out brisket.svg        # see a profile before using it
              devbridge sim smoker-brisket --speed 60                        # a virtual smoker on a PTY

            PROFILE arguments take a path or the name of a shipped profile (see 'devbridge profile list').
            """,
        version: DevbridgeVersion.current,
        subcommands: [
            ServeCommand.self, ProfileCommand.self, SimCommand.self, RecordCommand.self, ReplayCommand.self,
            TraceCommand.self, ExportCommand.self, AttachCommand.self, DevicesCommand.self,
        ]
    )
}

/// The version printed by `devbridge --version`.
enum DevbridgeVersion {
    static let current = "0.1.0"
}
