import Foundation
import Logging
import QuadCore
import Raft
import Testing
@testable import Transport

/// Files of a test PKI made with Debian's `openssl`: a cluster CA with one node certificate,
/// and a stranger's CA with its own node certificate.
struct TestPKI {
    let directory: String
    var path: (String) -> String { { directory + "/" + $0 } }

    static func make() throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quad-pki-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pki = TestPKI(directory: directory)
        try "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1\n"
            .write(toFile: pki.path("node.ext"), atomically: true, encoding: .utf8)
        for authority in ["ca", "stranger-ca"] {
            try pki.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", "\(authority).key", "-out", "\(authority).pem", "-days", "2",
                             "-subj", "/CN=\(authority)"])
            let node = authority == "ca" ? "node" : "stranger"
            try pki.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", "\(node).key", "-out", "\(node).csr", "-subj", "/CN=\(node)"])
            try pki.openssl(["x509", "-req", "-in", "\(node).csr", "-CA", "\(authority).pem", "-CAkey", "\(authority).key",
                             "-CAcreateserial", "-out", "\(node).pem", "-days", "2", "-extfile", "node.ext"])
        }
        return pki
    }

    func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TransportError(.unavailable, "openssl \(arguments) failed") }
    }

    /// The TLS settings of a node holding `name`.pem/.key and trusting `authority`.pem.
    func tls(_ name: String, trusting authority: String = "ca") throws -> PeerTLS {
        try PeerTLS(certificatePath: path("\(name).pem"), privateKeyPath: path("\(name).key"),
                    certificateAuthorityPath: path("\(authority).pem"))
    }
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct PeerTLSTests {
    static func server(tls: PeerTLS, inbox: Inbox) async throws -> (PeerServer, Task<Void, any Error>, PeerAddress) {
        let server = PeerServer(host: "127.0.0.1", port: 0, logger: quietLogger,
                                sink: { sender, batch in inbox.batches.withLock { $0.append((sender, batch)) } },
                                forwardHandler: { _, bytes in bytes }, tls: tls)
        let task = Task { try await server.run() }
        return (server, task, try await server.listeningAddress)
    }

    /// Proves peers holding certificates of the cluster CA exchange Raft messages and forwards
    /// over mutual TLS.
    @Test func membersTalkOverMutualTLS() async throws {
        let pki = try TestPKI.make()
        defer { try? FileManager.default.removeItem(atPath: pki.directory) }
        let inbox = Inbox()
        let (_, task, address) = try await Self.server(tls: try pki.tls("node"), inbox: inbox)
        defer { task.cancel() }
        var configuration = PeerLinks.Configuration()
        configuration.tls = try pki.tls("node")
        try await withLinks(to: address, configuration: configuration) { links in
            links.send([heartbeat(1)], to: NodeID(2))
            #expect(await eventually { inbox.count == 1 })
            let echoed = try await links.forward([1, 2, 3], to: NodeID(2), deadline: .now + .seconds(5))
            #expect(echoed == [1, 2, 3])
        }
    }

    /// Proves a TLS server admits no plaintext peer and no peer whose certificate another CA
    /// signed, and a member does not talk to a server of another CA.
    @Test func strangersAreTurnedAway() async throws {
        let pki = try TestPKI.make()
        defer { try? FileManager.default.removeItem(atPath: pki.directory) }
        let inbox = Inbox()
        let (_, task, address) = try await Self.server(tls: try pki.tls("node"), inbox: inbox)
        defer { task.cancel() }
        var plaintext = PeerLinks.Configuration()
        plaintext.tls = nil
        var stranger = PeerLinks.Configuration()
        stranger.tls = try pki.tls("stranger", trusting: "stranger-ca")
        var trustsOnlyStrangers = PeerLinks.Configuration()
        trustsOnlyStrangers.tls = try pki.tls("node", trusting: "stranger-ca")
        for configuration in [plaintext, stranger, trustsOnlyStrangers] {
            try await withLinks(to: address, configuration: configuration) { links in
                links.send([heartbeat(1)], to: NodeID(2))
                await #expect(throws: TransportError.self) {
                    try await links.forward([1], to: NodeID(2), deadline: .now + .seconds(2))
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(inbox.count == 0, "nothing from a stranger reached the sink")
    }
}
