import API
import Foundation
import QuadCore
import Testing

/// LMS groups and Open edX cohorts as private channels of the course.
@Suite struct GroupChannelTests {
    static func cohort(username: String, name: String, time: String) -> [String: Any] {
        ["id": UUID().uuidString, "event_type": "org.openedx.learning.cohort_membership.changed.v1", "time": time,
         "data": ["cohort": ["user": ["id": 9, "pii": ["username": username, "email": "\(username)@example.edu",
                                                       "name": username.capitalized]],
                             "course": ["course_key": EnrollmentFixture.course, "display_name": "CS 101"],
                             "name": name]]]
    }

    /// Proves setting a group's members puts exactly the enrolled ones in its private channel,
    /// takes out those no longer listed, and that the channel is private to them.
    @Test func aGroupIsAPrivateChannelOfItsMembers() async throws {
        let fixture = try await EnrollmentFixture.start()
        let server = fixture.server
        #expect(try await fixture.enroll([["subject": "ann"], ["subject": "bob"], ["subject": "cat"]]).status == 200)
        let issuer = fixture.signOn.provider.issuer
        func id(_ subject: String) -> String { UserID.derived(issuer: issuer, subject: subject).rawValue }
        let groupPath = fixture.coursePath + "/groups/section-a"
        func put(_ subjects: [String]) async throws -> Answer {
            try await server.request(.PUT, groupPath, token: fixture.serviceToken,
                                     json: ["name": "Section A", "subjects": subjects] as [String: Any])
        }

        let first = try await put(["ann", "bob", "zed"])
        #expect(first.status == 200, "\(first.text)")
        #expect(first.json["added"] as? [String] == [id("ann"), id("bob")].sorted())
        #expect(first.json["skipped"] as? [String] == [id("zed")])
        let channel = try #require(first.json["channel_id"] as? String)
        #expect(channel == ChannelID.derived(workspace: WorkspaceID(rawValue: fixture.workspace)!,
                                             groupKey: "section-a").rawValue)
        let messages = "/v1/workspaces/\(fixture.workspace)/channels/\(channel)/messages"
        let ann = try await fixture.token("ann")
        let cat = try await fixture.token("cat")
        let listed = try await server.request(.GET, "/v1/workspaces/\(fixture.workspace)/channels", token: ann)
        #expect(listed.text.contains("\"slug\":\"section-a\""), "\(listed.text)")
        #expect(try await server.request(.POST, messages, token: ann, json: ["text": "hi section"]).status == 201)
        #expect(try await server.request(.GET, messages, token: cat).status == 404)

        let same = try await put(["ann", "bob"])
        #expect(same.json["added"] as? [String] == [])
        #expect(same.json["removed"] as? [String] == [])
        let moved = try await put(["bob", "cat"])
        #expect(moved.json["added"] as? [String] == [id("cat")])
        #expect(moved.json["removed"] as? [String] == [id("ann")])
        #expect(try await server.request(.GET, messages, token: ann).status == 404)
        #expect(try await server.request(.GET, messages, token: cat).status == 200)

        // Unenrolled learners lose the group's channel with the course.
        #expect(try await fixture.unenroll(["cat"]).status == 200)
        #expect(try await server.request(.GET, messages, token: cat).status == 404)

        let longKey = String(repeating: "k", count: IdentityLimits.groupKeyBytesMax + 1)
        let tooLong = try await server.request(.PUT, fixture.coursePath + "/groups/\(longKey)",
                                               token: fixture.serviceToken, json: ["subjects": ["bob"]])
        #expect(tooLong.status == 400)
        #expect(tooLong.errorCode == "invalid_group")
        let unsigned = try await server.request(.PUT, groupPath, json: ["subjects": ["bob"]])
        #expect(unsigned.status == 401)
        let noCourse = try await server.request(.PUT, "/v1/integrations/\(fixture.platform)/courses/nope/groups/g",
                                                token: fixture.serviceToken, json: ["subjects": ["bob"]])
        #expect(noCourse.status == 404, "\(noCourse.text)")
        await fixture.stop()
    }

    /// Proves Open edX cohort events keep each learner in the channel of their one current cohort,
    /// whatever order the cohort and enrollment events arrive in, and that unenrollment ends it.
    @Test func cohortEventsMoveALearnerBetweenCohortChannels() async throws {
        let fixture = try await EnrollmentFixture.start()
        let server = fixture.server
        let sender = try await WebhookSender.configure(fixture)
        let workspace = try #require(WorkspaceID(rawValue: fixture.workspace))
        func messages(_ cohort: String) -> String {
            let channel = ChannelID.derived(workspace: workspace, groupKey: "cohort:" + cohort)
            return "/v1/workspaces/\(workspace)/channels/\(channel)/messages"
        }
        // The cohort fact comes before the enrollment: it is kept and honoured when ann enrolls.
        let intoA = try await sender.deliver(Self.cohort(username: "ann", name: "Group A", time: "2026-11-30T06:01:00Z"))
        #expect(intoA.status == 200, "\(intoA.text)")
        #expect(intoA.json["result"] as? String == "applied")
        let enrolled = WebhookSender.enrollment("enrollment.created", username: "ann", time: "2026-11-30T06:00:00Z")
        #expect(try await sender.deliver(enrolled).json["result"] as? String == "applied")
        let ann = try await fixture.token("ann")
        #expect(try await server.request(.GET, messages("Group A"), token: ann).status == 200)

        let intoB = Self.cohort(username: "ann", name: "Group B", time: "2026-11-30T06:03:00Z")
        #expect(try await sender.deliver(intoB).json["result"] as? String == "applied")
        #expect(try await server.request(.GET, messages("Group B"), token: ann).status == 200)
        #expect(try await server.request(.GET, messages("Group A"), token: ann).status == 404)
        // Late and repeated deliveries change nothing.
        let late = Self.cohort(username: "ann", name: "Group A", time: "2026-11-30T06:02:00Z")
        #expect(try await sender.deliver(late).json["result"] as? String == "stale")
        #expect(try await sender.deliver(intoB).json["result"] as? String == "stale")
        #expect(try await server.request(.GET, messages("Group A"), token: ann).status == 404)

        let unenrolled = WebhookSender.enrollment("unenrollment.completed", username: "ann",
                                                  time: "2026-11-30T06:04:00Z", active: false)
        #expect(try await sender.deliver(unenrolled).json["result"] as? String == "applied")
        #expect(try await server.request(.GET, messages("Group B"), token: ann).status == 404)

        var nameless = Self.cohort(username: "bob", name: "", time: "2026-11-30T06:05:00Z")
        nameless["id"] = "x"
        let refused = try await sender.deliver(nameless)
        #expect(refused.status == 400)
        #expect(refused.errorCode == "invalid_event")
        await fixture.stop()
    }
}
