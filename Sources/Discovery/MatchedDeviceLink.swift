import Foundation
import Logging

/// Keeps a symbolic link pointing at the device a match rule designates, following hotplug.
///
/// Anything that opens a device by path and reopens it after a hangup (the serial export)
/// follows the device through this link: on `attach` the link is (re)pointed at the device's
/// node, on `detach` it is removed, so the opener waits; a device that does not match the rule
/// never gets the link, whatever port it sits on. See ``DeviceFollower`` for the rules.
public final class MatchedDeviceLink: Sendable {
    /// The rule (its `subsystem` defaults to `tty`).
    public let rule: DeviceMatch
    /// The link path.
    public let linkPath: String
    private let logger: Logger

    /// Prepares a link at `linkPath` for `rule`, removing a symbolic link left there (by a run that
    /// was killed: it may point at anything), so nothing opens it before ``run()`` decides.
    public init(rule: DeviceMatch, linkPath: String, logger: Logger = Logger(label: "devbridge.discovery")) {
        var rule = rule
        if rule.subsystem == nil { rule.subsystem = DeviceKind.tty.subsystem }
        self.rule = rule
        self.linkPath = linkPath
        self.logger = logger
        removeLink()
    }

    /// Watches devices until cancelled, then removes the link.
    public func run() async throws {
        let kinds = Set(DeviceKind.allCases.filter { rule.subsystem == nil || $0.subsystem == rule.subsystem })
        let monitor = try DeviceMonitor(kinds: kinds)
        var follower = DeviceFollower(rule: rule)
        defer { removeLink() }
        apply(follower.start(present: monitor.present))
        if follower.current == nil {
            logger.notice("waiting for a device", metadata: ["match": "\(rule)"])
        }
        await withTaskCancellationHandler {
            for await event in monitor.events { apply(follower.handle(event)) }
        } onCancel: {
            monitor.stop()
        }
    }

    private func apply(_ decisions: [DeviceFollower.Decision]) {
        for decision in decisions {
            switch decision {
            case .attach(let device):
                guard let devnode = device.devnode else { continue }
                let target = Self.nodePath(devnode)
                do {
                    try pointLink(at: target)
                    logger.notice(
                        "device attached",
                        metadata: ["match": "\(rule)", "device": "\(devnode)", "link": "\(linkPath)"])
                } catch {
                    logger.error("cannot link the device", metadata: ["link": "\(linkPath)", "error": "\(error)"])
                }
            case .detach(let device):
                removeLink()
                logger.notice(
                    "device removed; waiting for it", metadata: ["device": "\(device.devnode ?? device.sysname)"])
            case .ambiguous(let devices):
                removeLink()
                logger.warning(
                    "several devices match; add serial or port to the rule",
                    metadata: ["match": "\(rule)", "devices": "\(devices.compactMap(\.devnode))"])
            case .ignored(let device):
                logger.notice(
                    "another matching device appeared; keeping the current one",
                    metadata: ["device": "\(device.devnode ?? device.sysname)"])
            }
        }
    }

    /// The path to open for a device node: the node itself, or where it points when udev (or a
    /// container or test bed) exposes it as a symbolic link, so the link made here resolves
    /// to the same inode.
    static func nodePath(_ devnode: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(devnode, &buffer, buffer.count - 1)
        guard count > 0 else { return devnode }
        let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") { return target }
        return (devnode as NSString).deletingLastPathComponent + "/" + target
    }

    private func pointLink(at target: String) throws(DiscoveryError) {
        var info = stat()
        if lstat(linkPath, &info) == 0, info.st_mode & S_IFMT != S_IFLNK {
            throw DiscoveryError(.link, "refusing to replace \(linkPath): it is not a symbolic link")
        }
        let temporary = "\(linkPath).devbridge-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else {
            throw DiscoveryError(.link, "symlink \(temporary): errno \(errno)")
        }
        guard rename(temporary, linkPath) == 0 else {
            unlink(temporary)
            throw DiscoveryError(.link, "rename to \(linkPath): errno \(errno)")
        }
    }

    private func removeLink() {
        var info = stat()
        if lstat(linkPath, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { unlink(linkPath) }
    }
}
