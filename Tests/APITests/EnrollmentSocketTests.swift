import API
import Foundation
import HummingbirdWSClient
import Logging
import QuadCore
import Synchronization
import Testing

/// Text frames one WebSocket client received.
final class SocketTextLog: Sendable {
    let frames = Mutex<[String]>([])
    func append(_ frame: String) { frames.withLock { $0.append(frame) } }
    func contains(_ text: String) -> Bool { frames.withLock { $0.contains { $0.contains(text) } } }
}

@Suite struct EnrollmentSocketTests {
    /// Opens the workspace's event socket as `token`, logging every text frame until cancelled.
    func listen(_ server: IdentityTestServer, workspace: String, token: String, into log: SocketTextLog)
        -> Task<Void, any Error> {
        Task {
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(server.port)/v1/workspaces/\(workspace)/events?access_token=\(token)",
                logger: Logger(label: "socket-test")
            ) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { log.append(text) }
                }
            }
        }
    }

    /// Proves an unenrolled learner's open WebSocket stops receiving the private channel at once,
    /// while a learner still enrolled receives the same message.
    @Test func unenrolledLearnerStopsReceivingPrivateMessages() async throws {
        let fixture = try await EnrollmentFixture.start()
        let server = fixture.server
        _ = try await fixture.enroll([["subject": "ines", "role": "instructor"], ["subject": "ann"], ["subject": "bob"]])
        let ines = try await fixture.token("ines")
        let channels = "/v1/workspaces/\(fixture.workspace)/channels"
        let created = try await server.request(.POST, channels, token: ines,
                                               json: ["name": "Study group", "visibility": "private"])
        let channel = try #require((created.json["channel"] as? [String: Any])?["id"] as? String)
        let issuer = fixture.signOn.provider.issuer
        let members = ["ann", "bob"].map { UserID.derived(issuer: issuer, subject: $0).rawValue }
        _ = try await server.request(.POST, "\(channels)/\(channel)/members", token: ines, json: ["user_ids": members])

        let annLog = SocketTextLog()
        let bobLog = SocketTextLog()
        let ann = listen(server, workspace: fixture.workspace, token: try await fixture.token("ann"), into: annLog)
        let bob = listen(server, workspace: fixture.workspace, token: try await fixture.token("bob"), into: bobLog)
        #expect(try await eventually { annLog.contains("\"ready\"") && bobLog.contains("\"ready\"") })

        let before = try await server.request(.POST, "\(channels)/\(channel)/messages", token: ines,
                                              json: ["text": "before-unenroll"])
        #expect(before.status == 201 || before.status == 200, "\(before.text)")
        #expect(try await eventually { annLog.contains("before-unenroll") && bobLog.contains("before-unenroll") })

        #expect(try await fixture.unenroll(["ann"]).json["removed_count"] as? Int == 1)
        _ = try await server.request(.POST, "\(channels)/\(channel)/messages", token: ines,
                                     json: ["text": "after-unenroll"])
        #expect(try await eventually { bobLog.contains("after-unenroll") })
        // Both sockets are fed from the same publication, in order; wait for a later event too.
        _ = try await server.request(.POST, "\(channels)/\(channel)/messages", token: ines, json: ["text": "later"])
        #expect(try await eventually { bobLog.contains("later") })
        #expect(!annLog.contains("after-unenroll"))
        #expect(!annLog.contains("later"))
        ann.cancel()
        bob.cancel()
        await fixture.stop()
    }
}
