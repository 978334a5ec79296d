import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QuadCore
import Testing

extension ClusterTests {
    /// Proves sign-in works through any node of a cluster of more nodes than replicas: through a
    /// node that holds no replica of the platform's partition, an SSO token of the platform's
    /// issuer signs in and an LTI login and launch succeed, with the login and the launch on
    /// different nodes either way; a launch through a node without the course's partition lands
    /// in the deep-linked channel; and a launch replayed through a third node is refused.
    @Test func signInThroughANodeWithoutThePlatform() async throws {
        let (nodes, root, lms, admin) = try await Self.startSignInCluster()
        defer { lms.stop(); for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        // 4 nodes, 3 replicas per partition: one node holds none of the platform's.
        let holders = try await Self.replicas(of: "lms", through: nodes[0], admin: admin)
        try #require(holders.count == 3, "the platform's partition has 3 replicas: \(holders)")
        let outsider = try #require(nodes.first { !holders.contains($0.id) })
        let holder = try #require(nodes.first { holders.contains($0.id) })
        let third = try #require(nodes.first { $0 !== outsider && $0 !== holder })

        // SSO: the LMS's token signs in through the outsider ("my workspaces" is served there).
        let ssoToken = try await lms.signInToken(subject: "learner-1", audience: "quad-app")
        let mine = try await Self.request("GET", outsider.baseURL + "/v1/workspaces", token: ssoToken, body: nil)
        #expect(mine.status == 200, "an SSO token through node \(outsider.id): \(mine.json)")

        // LTI: login through the outsider, launch through a holder.
        let first = try await Self.ltiLogin(through: outsider, lms: lms)
        let firstToken = try await lms.launchToken(subject: "learner-1", clientID: "quad-tool", nonce: first.nonce,
                                                   course: "course-a", channel: nil)
        let launched = try await Self.ltiLaunch(through: holder, idToken: firstToken, state: first.state)
        #expect(launched.status == 200, "login through node \(outsider.id), launch through \(holder.id): \(launched.json)")
        if let session = launched.json["token"] as? String, let workspace = launched.json["workspace_id"] as? String {
            let seen = try await Self.request("GET", outsider.baseURL + "/v1/workspaces/\(workspace)", token: session, body: nil)
            #expect(seen.status == 200, "the session works through node \(outsider.id): \(seen.json)")
        }

        // Login through a holder, launch through the outsider, into a course whose partition the
        // outsider does not hold either, deep-linked to a channel.
        let course = try await Self.course(notHeldBy: outsider, through: nodes[0], admin: admin)
        let second = try await Self.ltiLogin(through: holder, lms: lms)
        let secondToken = try await lms.launchToken(subject: "learner-2", clientID: "quad-tool", nonce: second.nonce,
                                                    course: course, channel: "q-a")
        let deepLinked = try await Self.ltiLaunch(through: outsider, idToken: secondToken, state: second.state)
        #expect(deepLinked.status == 200, "login through node \(holder.id), launch through \(outsider.id): \(deepLinked.json)")
        #expect(deepLinked.json["channel_id"] is String, "the launch lands in the q-a channel: \(deepLinked.json)")
        let replayed = try await Self.ltiLaunch(through: third, idToken: secondToken, state: second.state)
        #expect(replayed.status == 401, "a launch is spent once in the cluster: \(replayed.json)")
    }

    /// Proves an LMS's unenrollment removes the learner when it reaches a node that holds the
    /// platform's partition but not the course's (it used to answer "0 removed" there, reading
    /// the course from rows the node does not have).
    @Test func unenrollThroughAPlatformHolderWithoutTheCourse() async throws {
        let (nodes, root, lms, admin) = try await Self.startSignInCluster()
        defer { lms.stop(); for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let created = try await Self.request("POST", nodes[0].baseURL + "/v1/platforms/lms/service-keys", token: admin,
                                             body: ["name": "lms server"])
        let serviceKey = try #require(created.json["token"] as? String, "\(created.json)")
        let holders = try await Self.replicas(of: "lms", through: nodes[0], admin: admin)
        var chosen: (node: QuadProcess, course: String)?
        for holder in nodes where holders.contains(holder.id) && chosen == nil {
            if let course = try? await Self.course(notHeldBy: holder, through: nodes[0], admin: admin) { chosen = (holder, course) }
        }
        let (platformHolder, course) = try #require(chosen)
        let integration = platformHolder.baseURL + "/v1/integrations/lms/courses/\(course)"
        let enrolled = try await Self.request("POST", integration + "/enrollments", token: serviceKey,
                                              body: ["members": [["subject": "learner-9", "role": "learner"]]])
        #expect(enrolled.status == 200, "\(enrolled.json)")
        let removed = try await Self.request("POST", integration + "/unenrollments", token: serviceKey,
                                             body: ["subjects": ["learner-9"]])
        #expect(removed.status == 200 && removed.json["removed_count"] as? Int == 1,
                "unenrolling through node \(platformHolder.id), which lacks \(course): \(removed.json)")
    }

    /// Four nodes (3 replicas per partition), a test LMS, and platform `lms` trusting the LMS as
    /// SSO issuer (audience `quad-app`) and as LTI platform (client `quad-tool`).
    static func startSignInCluster() async throws -> (nodes: [QuadProcess], root: String, lms: TestLMS, admin: String) {
        let (nodes, root) = try await startCluster(count: 4)
        let lms = try await TestLMS.start()
        let admin = try nodes[0].token(user: "admin", admin: true)
        let platforms = nodes[0].baseURL + "/v1/platforms"
        try #require(try await request("POST", platforms, token: admin, body: ["id": "lms", "name": "LMS"]).status == 201)
        let issuer = try await request("PUT", platforms + "/lms/issuers", token: admin,
                                       body: ["issuer": lms.issuer, "audience": "quad-app", "jwks_url": lms.jwksURL])
        try #require(issuer.status == 200, "\(issuer.json)")
        let registration = try await request(
            "PUT", platforms + "/lms/lti-registrations", token: admin,
            body: ["issuer": lms.issuer, "client_id": "quad-tool", "deployment_ids": [TestLMS.deploymentID],
                   "auth_login_url": lms.issuer + "/authorize", "jwks_url": lms.jwksURL])
        try #require(registration.status == 200, "\(registration.json)")
        return (nodes, root, lms, admin)
    }

    /// The IDs of the nodes holding `key`'s partition (`GET /v1/admin/locate`).
    static func replicas(of key: String, through node: QuadProcess, admin: String) async throws -> [Int] {
        let located = try await request("GET", node.baseURL + "/v1/admin/locate/\(key)", token: admin, body: nil)
        return (located.json["replicas"] as? [Int]) ?? []
    }

    /// The external ID of a course of platform `lms` whose partition `node` holds no replica of.
    static func course(notHeldBy node: QuadProcess, through asked: QuadProcess, admin: String) async throws -> String {
        for index in 0..<64 {
            let workspace = WorkspaceID.derived(platform: PlatformID(uncheckedRawValue: "lms"), externalID: "course-\(index)")
            let holders = try await replicas(of: workspace.rawValue, through: asked, admin: admin)
            if !holders.isEmpty, !holders.contains(node.id) { return "course-\(index)" }
        }
        throw ProcessTestError("no course of 64 lands on a partition node \(node.id) lacks")
    }

    /// Starts an LTI login through `node`; the redirect is followed to the test LMS, which
    /// answers with the state and nonce Quad sent it.
    static func ltiLogin(through node: QuadProcess, lms: TestLMS) async throws -> (state: String, nonce: String) {
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "iss", value: lms.issuer), URLQueryItem(name: "login_hint", value: "hint"),
                            URLQueryItem(name: "target_link_uri", value: node.baseURL + "/lti/launch"),
                            URLQueryItem(name: "client_id", value: "quad-tool")]
        let answer = try await HTTP.request("GET", node.baseURL + "/lti/login?" + (query.percentEncodedQuery ?? ""),
                                            token: nil, body: nil)
        guard answer.status == 200, let state = answer.json["state"] as? String,
              let nonce = answer.json["nonce"] as? String else {
            throw ProcessTestError("LTI login through node \(node.id) answered \(answer.status) \(answer.json)")
        }
        return (state, nonce)
    }

    /// Posts an LTI launch (form_post, as the LMS's browser page does) to `node`.
    static func ltiLaunch(through node: QuadProcess, idToken: String, state: String) async throws -> HTTP.Answer {
        guard let url = URL(string: node.baseURL + "/lti/launch") else { throw ProcessTestError("bad URL") }
        var form = URLComponents()
        form.queryItems = [URLQueryItem(name: "id_token", value: idToken), URLQueryItem(name: "state", value: state)]
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data((form.percentEncodedQuery ?? "").utf8)
        let (data, response) = try await HTTP.session.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return HTTP.Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, json: json)
    }
}

extension QuadProcess {
    /// The node's ID (`--node-id`).
    var id: Int { extraArguments.firstIndex(of: "--node-id").flatMap { Int(extraArguments[$0 + 1]) } ?? 0 }
}
