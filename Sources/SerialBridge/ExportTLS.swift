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
            throw SerialBridgeError(code: .tlsFailed, message: "cannot set up TLS from \(certificate) and \(key): \(error)")
        }
    }
}
