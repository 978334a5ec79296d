import API
import Foundation
import QuadCore
import Testing

/// The SSO fixture plus a service key for the platform.
struct EnrollmentFixture {
    let signOn: SignOnFixture
    let serviceToken: String
    let key: TestKey
    var server: IdentityTestServer { signOn.server }
    var platform: String { signOn.platform }
    static let course = "course-v1:Org+CS101+2026"
    var coursePath: String {
        "/v1/integrations/\(platform)/courses/\(Self.course.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-.:_"))) ?? "")"
    }

    static func start() async throws -> EnrollmentFixture {
        let signOn = try await SignOnFixture.start()
        let key = try await TestKey.es256("ec-1")
        signOn.provider.publish([key])
        let created = try await signOn.server.request(.POST, "/v1/platforms/\(signOn.platform)/service-keys",
                                                      token: try await signOn.server.adminToken(),
                                                      json: ["name": "Test LMS"])
        #expect(created.status == 201, "\(created.text)")
        let token = try #require(created.json["token"] as? String)
        return EnrollmentFixture(signOn: signOn, serviceToken: token, key: key)
    }

    func stop() async { await signOn.stop() }

    /// A sign-in token for `subject`.
    func token(_ subject: String) async throws -> String {
        try await signOn.provider.token(key, subject: subject, extraClaims: ["name": subject.capitalized])
    }

    func enroll(_ members: [[String: String]]) async throws -> Answer {
        try await server.request(.POST, coursePath + "/enrollments", token: serviceToken,
                                 json: ["course_name": "CS 101", "members": members])
    }

    func unenroll(_ subjects: [String]) async throws -> Answer {
        try await server.request(.POST, coursePath + "/unenrollments", token: serviceToken, json: ["subjects": subjects])
    }

    var workspace: String { WorkspaceID.derived(platform: PlatformID(rawValue: platform)!, externalID: Self.course).rawValue }
}

@Suite struct EnrollmentTests {
    /// Proves an LMS enrolls people with its service key, they sign in with their own tokens and read the
    /// course, and an unenrolled learner loses a private channel on the very next request.
    @Test func enrollSignInAndLoseAccessOnUnenroll() async throws {
        let fixture = try await EnrollmentFixture.start()
        let server = fixture.server
        let enrolled = try await fixture.enroll([["subject": "ines", "role": "instructor", "name": "Ines"],
                                                 ["subject": "ann", "name": "Ann"]])
        #expect(enrolled.status == 200, "\(enrolled.text)")
        #expect(enrolled.json["workspace_id"] as? String == fixture.workspace)
        let again = try await fixture.enroll([["subject": "ines", "role": "instructor"], ["subject": "ann"]])
        #expect(again.status == 200)

        let ines = try await fixture.token("ines")
        let ann = try await fixture.token("ann")
        let mine = try await server.request(.GET, "/v1/workspaces", token: ann)
        #expect(mine.text.contains(fixture.workspace), "\(mine.text)")
        let channels = "/v1/workspaces/\(fixture.workspace)/channels"
        let created = try await server.request(.POST, channels, token: ines,
                                               json: ["name": "Study group", "visibility": "private"])
        #expect(created.status == 201, "\(created.text)")
        let channel = try #require((created.json["channel"] as? [String: Any])?["id"] as? String)
        let annID = UserID.derived(issuer: fixture.signOn.provider.issuer, subject: "ann").rawValue
        let added = try await server.request(.POST, "\(channels)/\(channel)/members", token: ines,
                                             json: ["user_ids": [annID]])
        #expect(added.status == 200, "\(added.text)")
        #expect(try await server.request(.GET, "\(channels)/\(channel)/messages", token: ann).status == 200)

        let removed = try await fixture.unenroll(["ann", "nobody"])
        #expect(removed.status == 200, "\(removed.text)")
        #expect(removed.json["removed_count"] as? Int == 1)
        #expect(try await server.request(.GET, "\(channels)/\(channel)/messages", token: ann).status == 404)
        #expect(try await server.request(.GET, "/v1/workspaces/\(fixture.workspace)", token: ann).status == 404)
        #expect(try await fixture.unenroll(["ann"]).json["removed_count"] as? Int == 0)
        await fixture.stop()
    }

    /// Proves the roster endpoint adds and removes to match the list and reports the diff.
    @Test func rosterReconcileReportsTheDiff() async throws {
        let fixture = try await EnrollmentFixture.start()
        _ = try await fixture.enroll([["subject": "ann"], ["subject": "bob"], ["subject": "cy", "role": "moderator"]])
        let roster = try await fixture.server.request(
            .PUT, fixture.coursePath + "/roster", token: fixture.serviceToken,
            json: ["members": [["subject": "ann"], ["subject": "cy"], ["subject": "dee"]]] as [String: Any])
        #expect(roster.status == 200, "\(roster.text)")
        let issuer = fixture.signOn.provider.issuer
        func id(_ subject: String) -> String { UserID.derived(issuer: issuer, subject: subject).rawValue }
        #expect(roster.json["added"] as? [String] == [id("dee")])
        #expect(roster.json["removed"] as? [String] == [id("bob")])
        #expect(roster.json["role_changed"] as? [String] == [id("cy")])
        #expect(roster.json["unchanged_count"] as? Int == 1)
        await fixture.stop()
    }

    /// Proves service keys are checked: a wrong secret, a revoked key, another platform's key and a
    /// batch over 1,000 are refused.
    @Test func serviceKeysAreScopedAndBounded() async throws {
        let fixture = try await EnrollmentFixture.start()
        let server = fixture.server
        let keyID = try #require(fixture.serviceToken.split(separator: ".").first)
        let wrong = try await server.request(.POST, fixture.coursePath + "/enrollments", token: "\(keyID).deadbeef",
                                             json: ["members": [["subject": "ann"]]])
        #expect(wrong.status == 401)
        #expect(wrong.errorCode == "service_key_invalid")
        try await server.createPlatform("pl-other")
        let elsewhere = try await server.request(
            .POST, "/v1/integrations/pl-other/courses/c1/enrollments", token: fixture.serviceToken,
            json: ["members": [["subject": "ann"]]])
        #expect(elsewhere.status == 401)
        let tooMany = (0...Limits.batchMembersMax).map { ["subject": "s\($0)"] }
        #expect(try await fixture.enroll(tooMany).status == 422)
        let revoke = try await server.request(.DELETE, "/v1/platforms/\(fixture.platform)/service-keys/\(keyID)",
                                              token: try await server.adminToken())
        #expect(revoke.status == 204)
        #expect(try await fixture.enroll([["subject": "ann"]]).status == 401)
        await fixture.stop()
    }
}
