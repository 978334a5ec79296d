import Foundation
import Hummingbird
import QuadCore
import Synchronization
import Testing

/// A Zoom on loopback: the account-credentials token endpoint and meeting creation, counting
/// the meetings it made.
final class TestZoom: Sendable {
    /// Meetings made so far.
    final class Count: Sendable { let value = Mutex(0) }

    private let server: LoopbackServer
    private let created: Count

    var baseURL: String { "http://127.0.0.1:\(server.port)" }
    var meetingsCreated: Int { created.value.withLock { $0 } }

    static func start() async throws -> TestZoom {
        let created = Count()
        let router = Router()
        router.post("oauth/token") { _, _ -> [String: String] in
            ["access_token": "zoom-token", "token_type": "bearer", "expires_in": "3599"]
        }
        router.post("v2/users/me/meetings") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer zoom-token" else { return Response(status: .unauthorized) }
            let number = created.value.withLock { count in
                count += 1
                return 85_000_000_000 + count
            }
            let body = #"{"id":\#(number),"join_url":"https://zoom.test/j/\#(number)","start_url":"https://zoom.test/s/\#(number)","password":"pw"}"#
            return Response(status: .created, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return TestZoom(server: try await LoopbackServer.start(router, name: "test-zoom"), created: created)
    }

    private init(server: LoopbackServer, created: Count) {
        self.server = server
        self.created = created
    }

    func stop() { server.stop() }
}

extension ClusterTests {
    /// Proves a provisioned Zoom session is scheduled through a node that holds the course's
    /// partition but not its platform's, where the platform's sealed Zoom credentials are: the node
    /// asks a holder for them (it used to find none and refuse).
    @Test func provisionedSessionThroughANodeWithoutThePlatform() async throws {
        let (nodes, root) = try await Self.startCluster(count: 4)
        let zoom = try await TestZoom.start()
        defer { zoom.stop(); for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let admin = try nodes[0].token(user: "admin", admin: true)
        let platforms = nodes[0].baseURL + "/v1/platforms"
        try #require(try await Self.request("POST", platforms, token: admin, body: ["id": "lms", "name": "LMS"]).status == 201)
        let stored = try await Self.request("PUT", platforms + "/lms/meeting-providers/zoom", token: admin, body: [
            "account_id": "acc-1", "client_id": "cid", "client_secret": "secret",
            "oauth_base_url": zoom.baseURL, "api_base_url": zoom.baseURL + "/v2"])
        try #require(stored.status == 204, "\(stored.json)")

        // A node without the platform's partition, and a course whose partition it holds.
        let platformHolders = try await Self.replicas(of: "lms", through: nodes[0], admin: admin)
        let outsider = try #require(nodes.first { !platformHolders.contains($0.id) })
        var course: String?
        for index in 0..<64 where course == nil {
            let workspace = WorkspaceID.derived(platform: PlatformID(uncheckedRawValue: "lms"), externalID: "course-\(index)")
            if try await Self.replicas(of: workspace.rawValue, through: nodes[0], admin: admin).contains(outsider.id) {
                course = "course-\(index)"
            }
        }
        let externalID = try #require(course)
        let created = try await Self.request("POST", nodes[0].baseURL + "/v1/workspaces", token: admin, body: [
            "platform_id": "lms", "kind": "course", "name": "Course", "external_id": externalID, "templates": ["chatter"]])
        let workspace = try #require((created.json["workspace"] as? [String: Any])?["id"] as? String, "\(created.json)")

        let members = try await Self.request("POST", nodes[0].baseURL + "/v1/workspaces/\(workspace)/members", token: admin,
                                             body: ["members": [["user_id": "ines", "role": "instructor"]]])
        try #require(members.status == 200, "\(members.json)")
        let instructor = try nodes[0].token(user: "ines")
        let session = try await Self.request("POST", outsider.baseURL + "/v1/workspaces/\(workspace)/sessions", token: instructor, body: [
            "title": "Office hours", "provider": "zoom", "provision": true, "start": "2027-03-17T15:00",
            "time_zone": "Europe/Madrid", "duration_minutes": 60])
        #expect(session.status == 201, "scheduling through node \(outsider.id), which lacks the platform: \(session.json)")
        #expect(((session.json["session"] as? [String: Any])?["meeting_number"] as? String)?.hasPrefix("85") == true)
        #expect(zoom.meetingsCreated == 1)
    }
}
