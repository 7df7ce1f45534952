import ArgumentParser
import DeviceBridgeService
import Foundation
import ProfileTools
import Simulation

/// `devbridge profile check|run|plot|list`.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Validate, fast-forward and plot device profiles.",
        discussion: """
            A profile is a YAML timeline over a physical model (docs/profiles.md).
            Examples:
              devbridge profile check profiles/smoker-brisket.yaml
              devbridge profile run smoker-brisket --until 16h --every 1m --format csv > cook.csv
              devbridge profile plot smoker-brisket --out brisket.svg
            """,
        subcommands: [Check.self, Run.self, Plot.self, List.self]
    )

    /// Loads a profile, turning errors into a CLI message that names file, line and key.
    static func load(_ pathOrName: String) throws -> Profile {
        do {
            let profile = try ProfileFiles.load(pathOrName)
            _ = try Simulation(profile: profile)
            return profile
        } catch {
            throw ValidationFailure(message: error.description)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a profile and summarize it.",
            discussion: """
                Exits 0 and prints a summary when the profile is valid; otherwise prints
                FILE:LINE:COLUMN: KEY: problem and exits 1.
                Example: devbridge profile check profiles/smoker-brisket.yaml
                """)

        @Argument(help: "A profile path or shipped profile name.")
        var profile: String

        func run() throws {
            let loaded = try ProfileCommand.load(profile)
            print(ProfileSummary.text(loaded))
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fast-forward a profile and print samples with virtual timestamps.",
            discussion: """
                One row per sample, one column per channel, values in the channel's unit.
                Missing readings (disconnected probe, dropout, warm-up) are empty (CSV) or null (JSONL).
                Example: devbridge profile run smoker-brisket --until 16h --every 1m --format csv
                """)

        @Argument(help: "A profile path or shipped profile name.")
        var profile: String

        @Option(help: "Virtual run length, e.g. 16h or 90m (default: the profile's clock.duration, else 24h).")
        var until: String?

        @Option(help: "Sample interval, e.g. 1m or 30s.")
        var every: String = "1m"

        @Option(help: "Output format: csv or jsonl.")
        var format: ProfileRun.Format = .csv

        @Option(help: "Random seed (default: the profile's clock.seed).")
        var seed: UInt64?

        func run() throws {
            let loaded = try ProfileCommand.load(profile)
            let until =
                try self.until.map { try parseDuration($0, option: "--until") } ?? loaded.clock.duration
                ?? 86_400
            let every = try parseDuration(every, option: "--every")
            guard every > 0 else { throw ValidationError("--every must be positive") }
            let runner = ProfileRun(profile: loaded, seed: seed, until: until, every: every)
            var output = BufferedOutput()
            if format == .csv { output.write(runner.csvHeader()) }
            let progress = Progress(total: until, label: "simulating")
            try runner.run { row in
                output.write(runner.format(row, as: format))
                progress.update(row.elapsed)
            }
            output.flush()
            progress.finish()
        }
    }

    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render an SVG chart of every channel, with events and faults marked.",
            discussion: """
                Example: devbridge profile plot smoker-brisket --out brisket.svg --until 16h
                View it in a browser, or convert it: rsvg-convert brisket.svg -o brisket.png
                """)

        @Argument(help: "A profile path or shipped profile name.")
        var profile: String

        @Option(name: .shortAndLong, help: "Output SVG file.")
        var out: String

        @Option(help: "Virtual run length (default: the profile's clock.duration, else 24h).")
        var until: String?

        @Option(help: "Random seed (default: the profile's clock.seed).")
        var seed: UInt64?

        func run() throws {
            let loaded = try ProfileCommand.load(profile)
            let until =
                try self.until.map { try parseDuration($0, option: "--until") } ?? loaded.clock.duration
                ?? 86_400
            let svg = try ProfilePlot.render(profile: loaded, seed: seed, until: until)
            do {
                try svg.write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationFailure(message: "cannot write '\(out)': \(error.localizedDescription)")
            }
            print("wrote \(out) (\(loaded.channels.count) channels, \(DurationText.format(until)))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the shipped profiles.")

        func run() throws {
            for name in ShippedProfiles.names {
                let summary = (try? ProfileLoader.shipped(name))?.summary ?? ""
                print(name.padding(toLength: 24, withPad: " ", startingAt: 0) + summary)
            }
        }
    }
}

/// Parses a duration option such as `16h`.
func parseDuration(_ text: String, option: String) throws -> Double {
    do {
        let value = try DurationText.parse(text)
        guard value >= 0 else { throw ValidationError("\(option) must not be negative") }
        return value
    } catch DurationText.Failure.missingUnit {
        throw ValidationError("\(option) '\(text)' needs a unit, e.g. \(text)s, \(text)m or \(text)h")
    } catch let error as ValidationError {
        throw error
    } catch {
        throw ValidationError("\(option) '\(text)' is not a duration (examples: 90s, 15m, 2h30m)")
    }
}

extension ProfileRun.Format: ExpressibleByArgument {}

/// An error printed as-is, exit code 1.
struct ValidationFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
