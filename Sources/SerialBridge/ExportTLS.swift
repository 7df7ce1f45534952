import NIOSSL

/// TLS set-up for exports and attaches, from PEM files.
public enum ExportTLS {
    /// A server context: certificate chain and key, and with `clientCA` mutual
    /// TLS (clients must present a certificate signed by it).
    public static func serverContext(certificate: String, key: String, clientCA: String?) throws(SerialBridgeError)
        -> NIOSSLContext
    {
        do {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            if let clientCA {
                configuration.trustRoots = .file(clientCA)
                configuration.certificateVerification = .noHostnameVerification
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SerialBridgeError(
                code: .tlsFailed, message: "cannot set up TLS from \(certificate) and \(key): \(error)")
        }
    }

    /// A client context (for `attach`): trusts `ca` and, for mutual TLS,
    /// presents `certificate`/`key`.
    public static func clientContext(ca: String, certificate: String?, key: String?) throws(SerialBridgeError)
        -> NIOSSLContext
    {
        do {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(ca)
            if let certificate, let key {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SerialBridgeError(code: .tlsFailed, message: "cannot set up TLS trusting \(ca): \(error)")
        }
    }
}
