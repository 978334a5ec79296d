import Foundation
import Testing

extension ClusterTests {
    /// Proves the personal calendar feed works through every node of a cluster of more nodes than
    /// replicas: a learner in two courses on different partitions, each with a session, gets both
    /// sessions through the node lacking their own partition and through nodes lacking either
    /// course's; the signed-in workspace feeds and creating and revoking the feed work through any
    /// node too.
    @Test func personalCalendarFeedThroughEveryNode() async throws {
        let (nodes, root) = try await Self.startCluster(count: 4)
        defer { for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let admin = try nodes[0].token(user: "admin", admin: true)
        let learner = try nodes[0].token(user: "leo")
        let courses = try await Self.coursesOnTwoPartitions(through: nodes[0], admin: admin)
        let titles = ["Algebra office hours", "Biology lab review"]
        for (course, title) in zip(courses, titles) {
            try await Self.scheduleSession(title, in: course, for: "leo", through: nodes[0], admin: admin)
        }
        let userHolders = try await Self.replicas(of: "leo", through: nodes[0], admin: admin)
        try #require(userHolders.count == 3, "the user's partition has 3 replicas: \(userHolders)")
        let outsider = try #require(nodes.first { !userHolders.contains($0.id) })

        // Created through the node without the user's partition, read through every node.
        let created = try await Self.request("POST", outsider.baseURL + "/v1/me/calendar-feed", token: learner, body: nil)
        let path = try #require(created.json["path"] as? String, "creating the feed through node \(outsider.id): \(created.json)")
        for node in nodes {
            let feed = try await Self.feed(node.baseURL + path) { $0.status == 200 && titles.allSatisfy($0.text.contains) }
            #expect(feed.status == 200 && titles.allSatisfy(feed.text.contains),
                    "the feed through node \(node.id) (user on \(userHolders)): \(feed.status) \(feed.text.prefix(300))")
            for (course, title) in zip(courses, titles) {
                let workspaceFeed = try await Self.feed(node.baseURL + "/v1/workspaces/\(course)/calendar.ics",
                                                        token: learner) { $0.text.contains(title) }
                #expect(workspaceFeed.status == 200 && workspaceFeed.text.contains(title),
                        "\(course)'s feed through node \(node.id): \(workspaceFeed.status)")
            }
        }

        // Revoked through the outsider: gone through every node.
        let revoked = try await Self.request("DELETE", outsider.baseURL + "/v1/me/calendar-feed", token: learner, body: nil)
        #expect(revoked.status == 204, "revoking through node \(outsider.id): \(revoked.json)")
        for node in nodes {
            let feed = try await Self.feed(node.baseURL + path) { $0.status == 404 }
            #expect(feed.status == 404, "the revoked feed through node \(node.id): \(feed.status)")
        }
    }

    /// Two courses of platform `lms` on different partitions, each with `admin` as instructor.
    static func coursesOnTwoPartitions(through node: QuadProcess, admin: String) async throws -> [String] {
        let base = node.baseURL + "/v1"
        _ = try await request("POST", base + "/platforms", token: admin, body: ["id": "lms", "name": "LMS"])
        var byPartition: [Int: String] = [:]
        for index in 0..<16 where byPartition.count < 2 {
            let created = try await request("POST", base + "/workspaces", token: admin,
                                            body: ["platform_id": "lms", "kind": "course", "name": "Course \(index)",
                                                   "external_id": "course-\(index)"])
            let workspace = try #require((created.json["workspace"] as? [String: Any])?["id"] as? String, "\(created.json)")
            let located = try await request("GET", base + "/admin/locate/\(workspace)", token: admin, body: nil)
            let partition = try #require(located.json["partition"] as? Int, "\(located.json)")
            if byPartition[partition] == nil { byPartition[partition] = workspace }
        }
        try #require(byPartition.count == 2, "16 courses landed on one partition")
        return byPartition.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Enrols `learner` in `workspace` and schedules a weekly session titled `title` there.
    static func scheduleSession(_ title: String, in workspace: String, for learner: String, through node: QuadProcess,
                                admin: String) async throws {
        let base = node.baseURL + "/v1/workspaces/\(workspace)"
        let enrolled = try await request("POST", base + "/members", token: admin, body: ["members": [
            ["user_id": "admin", "role": "instructor"], ["user_id": learner, "role": "learner"]]])
        try #require(enrolled.status == 200, "\(enrolled.json)")
        let session = try await request("POST", base + "/sessions", token: admin, body: [
            "title": title, "agenda": "Bring questions", "provider": "zoom", "start": "2026-03-17T15:00",
            "time_zone": "Europe/Madrid", "duration_minutes": 60, "recurrence": "FREQ=WEEKLY;BYDAY=TU;COUNT=10",
            "join_url": "https://zoom.example/j/1"])
        try #require(session.status == 201, "\(session.json)")
    }

    /// Reads a feed until `done` holds (a follower applies writes a moment after the leader) or
    /// 10 seconds pass; returns the last answer.
    static func feed(_ url: String, token: String? = nil, until done: (HTTP.Answer) -> Bool) async throws -> HTTP.Answer {
        let end = ContinuousClock.now + .seconds(10)
        while true {
            let answer = try await HTTP.request("GET", url, token: token, body: nil)
            if done(answer) || ContinuousClock.now >= end { return answer }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
