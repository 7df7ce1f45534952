import Crypto

/// A Nightscout `API_SECRET`, checked the way Nightscout does: clients send the header
/// `api-secret: <hex SHA-1 of the secret>` (a hex SHA-512 is accepted too).
///
/// Only the hashes are kept; comparison is constant-time and case-insensitive on the hex.
public struct NightscoutSecret: Sendable {
    /// Lowercase hex SHA-1 of the secret.
    public let sha1Hex: String
    /// Lowercase hex SHA-512 of the secret.
    public let sha512Hex: String

    /// Hashes `secret` (UTF-8).
    public init(_ secret: String) {
        let bytes = Array(secret.utf8)
        sha1Hex = NightscoutSecret.hex(Insecure.SHA1.hash(data: bytes))
        sha512Hex = NightscoutSecret.hex(SHA512.hash(data: bytes))
    }

    /// Whether an `api-secret` header value is the SHA-1 or SHA-512 hex of the secret.
    /// `nil` (no header) is refused.
    public func accepts(_ header: String?) -> Bool {
        guard let header else { return false }
        let given = Array(header.trimmingSpaces().lowercased().utf8)
        // Both comparisons always run: the time taken does not depend on which (or how much) matched.
        let sha1 = NightscoutSecret.constantTimeEquals(given, Array(sha1Hex.utf8))
        let sha512 = NightscoutSecret.constantTimeEquals(given, Array(sha512Hex.utf8))
        return sha1 || sha512
    }

    /// Compares in time that depends only on the lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let length = max(a.count, b.count)
        for index in 0..<length {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self[...]
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
