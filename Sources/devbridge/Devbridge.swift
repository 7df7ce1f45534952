import ArgumentParser

/// The `devbridge` command line. Argument parsing only; the work happens in the library modules.
@main
struct Devbridge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devbridge",
        abstract: "Virtual serial devices driven by realistic profiles, and bridges for host devices into VMs.",
        discussion: """
            Quick start:
              devbridge serve                           devices, exports, dashboard
              devbridge sim smoker-brisket --speed 60   a virtual smoker on a PTY
              devbridge profile run smoker-brisket      fast-forward a cook to CSV
              devbridge profile plot smoker-brisket --out brisket.svg
              devbridge export /dev/ttyUSB0 --listen 127.0.0.1:7001 --mode rfc2217
              devbridge attach rfc2217://HOST:7001 --link /dev/ttyUSB0   (in a guest)

            PROFILE arguments take a path or the name of a shipped profile
            (see 'devbridge profile list'). Docs: docs/ in the source tree.
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
