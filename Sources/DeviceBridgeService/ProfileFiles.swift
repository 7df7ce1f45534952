import Foundation
import Simulation

/// Loads profiles from disk: the file-reading side of ``ProfileLoader`` (which is pure).
///
/// A profile's CSV series are read relative to the profile's directory (absolute paths as
/// written). Errors are ``ProfileError``s naming the file, line and key.
public enum ProfileFiles {
    /// Loads a profile by path, or else by the name of a shipped profile (`smoker-brisket`).
    public static func load(_ pathOrName: String) throws(ProfileError) -> Profile {
        if FileManager.default.fileExists(atPath: pathOrName) {
            let text: String
            do {
                text = try String(contentsOfFile: pathOrName, encoding: .utf8)
            } catch {
                throw ProfileError(.notFound, "cannot read profile '\(pathOrName)': \(error.localizedDescription)")
            }
            let directory = URL(fileURLWithPath: pathOrName).deletingLastPathComponent().path
            return try ProfileLoader.parse(yaml: text, file: pathOrName, sources: sources(relativeTo: directory))
        }
        let name = pathOrName.hasSuffix(".yaml") ? String(pathOrName.dropLast(5)) : pathOrName
        if ShippedProfiles.yaml(named: name) != nil {
            return try ProfileLoader.shipped(name)
        }
        throw ProfileError(
            .notFound,
            "no profile file '\(pathOrName)' and no shipped profile of that name "
                + "(shipped: \(ShippedProfiles.names.joined(separator: ", ")))")
    }

    /// Reads what a profile refers to from disk, relative paths against `directory`.
    public static func sources(relativeTo directory: String) -> ProfileSources {
        ProfileSources { reference in
            let path = reference.hasPrefix("/") ? reference : "\(directory)/\(reference)"
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw FileReadError(path: path)
            }
        }
    }

    /// A file that could not be read; its description names the resolved path.
    struct FileReadError: Error, CustomStringConvertible {
        var path: String
        var description: String { "no readable file at '\(path)'" }
    }
}
