/// Telnet option negotiation state (RFC 854 rules with the RFC 1143 "Q
/// method" states), pure: it returns the replies to send and never loops.
///
/// - A request that would not change an option's state is not answered.
/// - An option we do not support is refused (DONT/WONT) once per side;
///   later requests for it are ignored, so a peer repeating itself cannot
///   make us repeat ourselves.
/// - Our own requests (``request(local:enable:)``) are remembered, so the
///   peer's confirmation is not answered again.
public struct TelnetOptionNegotiator: Sendable {
    /// Negotiation state of one side of one option.
    public enum OptionState: Sendable, Equatable {
        case no, yes, wantNo, wantYes
    }

    /// Replies produced by the negotiator: (verb, option) pairs to send.
    public typealias Reply = (verb: UInt8, option: UInt8)

    /// Options we will enable on our side (we send WILL).
    public let localSupported: Set<UInt8>
    /// Options we accept the peer enabling (we send DO).
    public let remoteSupported: Set<UInt8>

    private var local = [OptionState](repeating: .no, count: 256)
    private var remote = [OptionState](repeating: .no, count: 256)
    private var refusedLocal = [Bool](repeating: false, count: 256)
    private var refusedRemote = [Bool](repeating: false, count: 256)

    /// Creates a negotiator that accepts the given options.
    public init(localSupported: Set<UInt8>, remoteSupported: Set<UInt8>) {
        self.localSupported = localSupported
        self.remoteSupported = remoteSupported
    }

    /// True when `option` is enabled on our side.
    public func isLocalEnabled(_ option: UInt8) -> Bool { local[Int(option)] == .yes }
    /// True when `option` is enabled on the peer's side.
    public func isRemoteEnabled(_ option: UInt8) -> Bool { remote[Int(option)] == .yes }

    /// Starts enabling (or disabling) an option on our side. Returns the request to send, if any.
    public mutating func request(local option: UInt8, enable: Bool) -> Reply? {
        let i = Int(option)
        switch (local[i], enable) {
        case (.no, true):
            local[i] = .wantYes
            return (Telnet.will, option)
        case (.yes, false):
            local[i] = .wantNo
            return (Telnet.wont, option)
        default:
            return nil
        }
    }

    /// Starts asking the peer to enable (or disable) an option. Returns the request to send, if any.
    public mutating func request(remote option: UInt8, enable: Bool) -> Reply? {
        let i = Int(option)
        switch (remote[i], enable) {
        case (.no, true):
            remote[i] = .wantYes
            return (Telnet.do, option)
        case (.yes, false):
            remote[i] = .wantNo
            return (Telnet.dont, option)
        default:
            return nil
        }
    }

    /// Handles a received IAC verb option; returns the reply to send, if any.
    public mutating func receive(verb: UInt8, option: UInt8) -> Reply? {
        let i = Int(option)
        switch verb {
        case Telnet.will:
            switch remote[i] {
            case .no:
                if remoteSupported.contains(option) {
                    remote[i] = .yes
                    return (Telnet.do, option)
                }
                if refusedRemote[i] { return nil }
                refusedRemote[i] = true
                return (Telnet.dont, option)
            case .yes: return nil
            case .wantYes:
                remote[i] = .yes
                return nil
            case .wantNo:
                remote[i] = .no  // peer answered our DONT wrongly; RFC 1143 says treat as no
                return nil
            }
        case Telnet.wont:
            switch remote[i] {
            case .no: return nil
            case .yes:
                remote[i] = .no
                return (Telnet.dont, option)
            case .wantYes, .wantNo:
                remote[i] = .no
                return nil
            }
        case Telnet.do:
            switch local[i] {
            case .no:
                if localSupported.contains(option) {
                    local[i] = .yes
                    return (Telnet.will, option)
                }
                if refusedLocal[i] { return nil }
                refusedLocal[i] = true
                return (Telnet.wont, option)
            case .yes: return nil
            case .wantYes:
                local[i] = .yes
                return nil
            case .wantNo:
                local[i] = .no
                return nil
            }
        case Telnet.dont:
            switch local[i] {
            case .no: return nil
            case .yes:
                local[i] = .no
                return (Telnet.wont, option)
            case .wantYes, .wantNo:
                local[i] = .no
                return nil
            }
        default:
            return nil
        }
    }
}
