import Foundation
import GRPCNIOTransportHTTP2

/// Mutual TLS between nodes: every node presents a certificate signed by the cluster's own CA
/// and accepts only peers that do the same (docs/operations.md, "Mutual TLS between nodes").
///
/// Peers are authenticated by the CA, not by host name: the CA exists only to admit members,
/// so a certificate it signed is the membership credential (the cluster ID is checked on every
/// call as well). Files are PEM; they are read when a link or the server starts.
public struct PeerTLS: Sendable, Equatable {
    /// This node's certificate chain (leaf first).
    public var certificatePath: String
    /// The private key of the leaf certificate.
    public var privateKeyPath: String
    /// The cluster CA's certificate: the only trust root for peers.
    public var certificateAuthorityPath: String

    /// Names the three files; throws when one cannot be read, so a typo fails at start-up.
    public init(certificatePath: String, privateKeyPath: String, certificateAuthorityPath: String) throws(TransportError) {
        for (what, path) in [("certificate", certificatePath), ("private key", privateKeyPath),
                             ("CA certificate", certificateAuthorityPath)]
        where !FileManager.default.isReadableFile(atPath: path) {
            throw TransportError(.unavailable, "the peer TLS \(what) \(path) cannot be read")
        }
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.certificateAuthorityPath = certificateAuthorityPath
    }

    private var chain: [TLSConfig.CertificateSource] { [.file(path: certificatePath, format: .pem)] }
    private var key: TLSConfig.PrivateKeySource { .file(path: privateKeyPath, format: .pem) }
    private var roots: TLSConfig.TrustRootsSource { .certificates([.file(path: certificateAuthorityPath, format: .pem)]) }

    /// The server side: requires a client certificate signed by the CA.
    var serverSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
        .mTLS(certificateChain: chain, privateKey: key) { config in
            config.trustRoots = roots
            config.clientCertificateVerification = .noHostnameVerification
        }
    }

    /// The client side: presents this node's certificate, accepts only a server the CA signed.
    var clientSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        .mTLS(certificateChain: chain, privateKey: key) { config in
            config.trustRoots = roots
            config.serverCertificateVerification = .noHostnameVerification
        }
    }
}
