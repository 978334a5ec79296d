import API
import Crypto
import Foundation
import QuadCore
import Testing

/// Delivers Open edX events the way the webhook sender does: signed body, signed timestamp.
struct WebhookSender {
    let server: IdentityTestServer
    let platform: String
    let secret: [UInt8]

    static func configure(_ fixture: EnrollmentFixture) async throws -> WebhookSender {
        let answer = try await fixture.server.request(.PUT, "/v1/platforms/\(fixture.platform)/webhook-secret",
                                                      token: try await fixture.server.adminToken())
        #expect(answer.status == 200, "\(answer.text)")
        let hex = try #require(answer.json["secret"] as? String)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(try #require(UInt8(hex[index..<next], radix: 16)))
            index = next
        }
        return WebhookSender(server: fixture.server, platform: fixture.platform, secret: bytes)
    }

    static func enrollment(_ type: String, username: String, time: String, active: Bool = true) -> [String: Any] {
        ["id": UUID().uuidString, "event_type": "org.openedx.learning.course.\(type).v1", "time": time,
         "data": ["enrollment": ["user": ["id": 7, "is_active": true,
                                          "pii": ["username": username, "email": "\(username)@example.edu",
                                                  "name": username.capitalized]],
                                 "course": ["course_key": EnrollmentFixture.course, "display_name": "CS 101"],
                                 "mode": "audit", "is_active": active]]]
    }

    static func accessRole(added: Bool, username: String, role: String, time: String) -> [String: Any] {
        ["id": UUID().uuidString,
         "event_type": "org.openedx.learning.user.course_access_role.\(added ? "added" : "removed").v1", "time": time,
         "data": ["course_access_role_data": ["user": ["id": 8, "pii": ["username": username]],
                                              "org_key": "Org", "course_key": EnrollmentFixture.course,
                                              "role": role]]]
    }

    func deliver(_ event: [String: Any], timestamp: Int = Int(Date().timeIntervalSince1970),
                 signWith key: [UInt8]? = nil) async throws -> Answer {
        let body = Array(try JSONSerialization.data(withJSONObject: event))
        var message = Array(String(timestamp).utf8)
        message.append(UInt8(ascii: "."))
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key ?? secret))
        let signature = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
        return try await server.request(.POST, "/v1/integrations/\(platform)/webhooks/openedx",
                                        headers: [("X-Quad-Timestamp", String(timestamp)),
                                                  ("X-Quad-Signature", signature)], body: body)
    }
}

@Suite struct OpenEdxWebhookTests {
    /// Proves enrollment by webhook signs a learner into the course, redelivery and out-of-order
    /// delivery change nothing, and unenrollment removes access at once.
    @Test func enrollmentByWebhookThenUnenrollment() async throws {
        let fixture = try await EnrollmentFixture.start()
        let sender = try await WebhookSender.configure(fixture)
        let ann = try await fixture.token("ann")
        let workspace = "/v1/workspaces/\(fixture.workspace)"

        let created = WebhookSender.enrollment("enrollment.created", username: "ann",
                                               time: "2026-11-30T06:00:00.123456+00:00")
        let first = try await sender.deliver(created)
        #expect(first.status == 200, "\(first.text)")
        #expect(first.json["result"] as? String == "applied")
        #expect(try await fixture.server.request(.GET, workspace, token: ann).status == 200)
        #expect(try await sender.deliver(created).json["result"] as? String == "stale")

        let unenrolled = WebhookSender.enrollment("unenrollment.completed", username: "ann",
                                                  time: "2026-11-30T06:10:00+00:00", active: false)
        #expect(try await sender.deliver(unenrolled).json["result"] as? String == "applied")
        #expect(try await fixture.server.request(.GET, workspace, token: ann).status == 404)

        // An enrollment change from before the unenrollment arrives late: it must not re-enroll.
        let late = WebhookSender.enrollment("enrollment.changed", username: "ann", time: "2026-11-30T06:05:00+00:00")
        #expect(try await sender.deliver(late).json["result"] as? String == "stale")
        #expect(try await fixture.server.request(.GET, workspace, token: ann).status == 404)
        await fixture.stop()
    }

    /// Proves course staff roles arrive by webhook as moderator and instructor.
    @Test func accessRolesMapToWorkspaceRoles() async throws {
        let fixture = try await EnrollmentFixture.start()
        let sender = try await WebhookSender.configure(fixture)
        _ = try await sender.deliver(WebhookSender.accessRole(added: true, username: "tim", role: "staff",
                                                              time: "2026-11-30T06:00:00Z"))
        let tim = try await fixture.token("tim")
        let view = try await fixture.server.request(.GET, "/v1/workspaces/\(fixture.workspace)", token: tim)
        #expect(view.json["role"] as? String == "moderator", "\(view.text)")
        _ = try await sender.deliver(WebhookSender.accessRole(added: false, username: "tim", role: "staff",
                                                              time: "2026-11-30T06:01:00Z"))
        let after = try await fixture.server.request(.GET, "/v1/workspaces/\(fixture.workspace)", token: tim)
        #expect(after.json["role"] as? String == "learner", "\(after.text)")
        await fixture.stop()
    }

    /// Proves deliveries with a wrong signature, a stale timestamp or no signature are refused.
    @Test func forgedAndReplayedDeliveriesAreRefused() async throws {
        let fixture = try await EnrollmentFixture.start()
        let sender = try await WebhookSender.configure(fixture)
        let event = WebhookSender.enrollment("enrollment.created", username: "eve", time: "2026-11-30T06:00:00Z")
        let forged = try await sender.deliver(event, signWith: Array(repeating: 1, count: 32))
        #expect(forged.status == 401)
        #expect(forged.errorCode == "webhook_signature_invalid")
        let replayed = try await sender.deliver(event, timestamp: Int(Date().timeIntervalSince1970) - 3600)
        #expect(replayed.status == 401)
        #expect(replayed.errorCode == "webhook_timestamp_stale")
        let unsigned = try await fixture.server.request(.POST, "/v1/integrations/\(fixture.platform)/webhooks/openedx",
                                                        body: Array("{}".utf8))
        #expect(unsigned.status == 401)
        await fixture.stop()
    }
}
