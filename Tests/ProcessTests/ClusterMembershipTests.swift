import Foundation
import Testing

extension ClusterTests {
    /// Reads every course's history through `node` and checks it is exactly what was written.
    static func expectHistories(_ courses: [(workspace: String, channel: String, texts: [String])], through node: QuadProcess,
                                admin: String, _ note: String) async throws -> Bool {
        for course in courses {
            let url = node.baseURL + "/v1/workspaces/\(course.workspace)/channels/\(course.channel)/messages?after=0&limit=200"
            let answer = try await request("GET", url, token: admin, body: nil)
            let texts = (answer.json["messages"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            guard answer.status == 200, texts == course.texts else {
                Issue.record("\(note): \(course.workspace) through \(node.baseURL) answered \(answer.status) with \(texts.count) of \(course.texts.count)")
                return false
            }
        }
        return true
    }

    /// Replicas (data partitions) each node holds, from `quadctl status -o json` through `node`.
    static func replicasByNode(through node: QuadProcess) async throws -> (health: String, replicas: [Int: Int], states: [Int: String]) {
        let answer = try await node.quadctl(["status", "-o", "json"])
        let status = json(answer.output)
        var replicas: [Int: Int] = [:]
        var states: [Int: String] = [:]
        for member in status["nodes"] as? [[String: Any]] ?? [] {
            guard let id = member["id"] as? Int else { continue }
            replicas[id] = member["replicas"] as? Int ?? 0
            states[id] = member["state"] as? String ?? "?"
        }
        return (status["health"] as? String ?? "?", replicas, states)
    }

    /// Proves nodes can be added and removed while the cluster serves: a 4th node added with
    /// `quadctl node add` and started with `--join` takes about a quarter of the replicas (each
    /// as a learner caught up from the log or by a snapshot, then promoted), every course stays readable through
    /// every node the whole time (through the new node too, which relays requests for partitions
    /// it does not hold), and `quadctl node remove` re-creates the removed node's replicas on the others.
    /// Node 4 runs as a build of the next wire version, which must join writing this one.
    @Test func addingAFourthNodeAndRemovingOne() async throws {
        // Logs compact early, so most new replicas are caught up by a snapshot, the rest by the log.
        let retention = ["--compact-after-entries", "10", "--retained-entries", "2"]
        let (nodes, root) = try await Self.startCluster(extraArguments: retention)
        defer { for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let admin = try nodes[0].token(user: "admin", admin: true)
        var courses: [(workspace: String, channel: String, texts: [String])] = []
        for course in 0..<4 {
            let (workspace, channel) = try await Self.makeCourse("Course \(course)", through: nodes[0], admin: admin)
            var texts: [String] = []
            for index in 0..<15 {
                let text = "c\(course)-\(index)"
                let posted = try await Self.request("POST", nodes[course % 3].baseURL + "/v1/workspaces/\(workspace)/channels/\(channel)/messages",
                                                    token: admin, body: ["text": text, "client_msg_id": text])
                try #require(posted.status == 201)
                texts.append(text)
            }
            courses.append((workspace, channel, texts))
        }
        let before = try await Self.replicasByNode(through: nodes[0])
        #expect(before.replicas.values.reduce(0, +) == 24, "8 partitions x 3 replicas: \(before)")

        // Node 4: added to the member table, then started with --join through node 1.
        let members = try #require(nodes[0].extraArguments.firstIndex(of: "--members").map { nodes[0].extraArguments[$0 + 1] })
        let firstPeer = try #require(members.split(separator: ",").first.map(String.init))
        let peerPort = try freePort()
        let directory = root + "/n4"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: nodes[0].dataDirectory + "/dev-signin.key", toPath: directory + "/dev-signin.key")
        let added = try await nodes[1].quadctl(["node", "add", "4", "127.0.0.1:\(peerPort)", "-o", "json"])
        #expect(added.status == 0, "\(added.output)")
        #expect((Self.json(added.output)["nodes"] as? [[String: Any]])?.count == 4)
        let fourth = QuadProcess(dataDirectory: directory, port: try freePort(),
                                 extraArguments: ["--node-id", "4", "--join", firstPeer, "--peer-port", "\(peerPort)",
                                                  "--partitions", "8", "--cluster-id", "quad",
                                                  // A build of the next wire version: it joins speaking this one.
                                                  "--wire-version-native", "2"] + retention)
        defer { fourth.kill9() }
        try await fourth.start()

        // Every course is read through every node between the checks, until the move is over:
        // nothing may go missing meanwhile.
        var after = before
        var readRounds = 0
        try await poll(deadline: .seconds(60), "node 4 to take its share") {
            for node in nodes { _ = try await Self.expectHistories(courses, through: node, admin: admin, "during the move") }
            readRounds += 1
            after = try await Self.replicasByNode(through: nodes[0])
            return after.health == "healthy" && (after.replicas[4] ?? 0) > 0 && after.states.values.allSatisfy { $0 == "up" }
                && after.replicas.values.reduce(0, +) == 24
        }
        print("cluster-membership: node 4 took \(after.replicas[4] ?? 0) of 24 replicas; \(readRounds) rounds of reads through 3 nodes during the move")
        let taken = after.replicas[4] ?? 0
        #expect(taken >= 3 && taken <= 9, "about a quarter of the replicas move: \(after.replicas)")
        let snapshots = try await Self.metrics(of: fourth)["quad_snapshots_installed_total"] ?? 0
        print("cluster-membership: node 4 installed \(Int(snapshots)) snapshots")
        // A course created through each node: one of the four holds no replica of the platform's
        // partition, and relays the request when the platform check finds it held elsewhere.
        for (index, node) in (nodes + [fourth]).enumerated() {
            let created = try await Self.request("POST", node.baseURL + "/v1/workspaces", token: admin,
                                                 body: ["platform_id": "lms", "kind": "course", "name": "Through \(index)",
                                                        "templates": ["chatter"]])
            #expect(created.status == 201, "creating a course through \(node.baseURL): \(created.json)")
        }
        // A course on a partition node 4 holds no replica of (made until one lands there): node 4
        // relays requests about it to a node that holds it.
        var elsewhere: String?
        for attempt in 0..<20 where elsewhere == nil {
            let (workspace, channel) = attempt < courses.count ? (courses[attempt].workspace, courses[attempt].channel)
                : try await Self.makeCourse("Extra \(attempt)", through: nodes[0], admin: admin)
            if attempt >= courses.count { courses.append((workspace, channel, [])) }
            let located = Self.json(try await nodes[0].quadctl(["locate", workspace, "-o", "json"]).output)
            if !((located["replicas"] as? [Int]) ?? [4]).contains(4) { elsewhere = workspace }
        }
        #expect(elsewhere != nil, "some course lives on a partition node 4 does not hold")
        for node in nodes + [fourth] { _ = try await Self.expectHistories(courses, through: node, admin: admin, "after the move") }
        // Live events of that course through node 4, which relays the stream from a holder.
        let elsewhereCourse = try #require(courses.firstIndex { $0.workspace == elsewhere })
        let received = ReceivedFrames()
        let fourthPort = fourth.port
        let streamed = courses[elsewhereCourse].workspace
        let subscriber = Task { try await subscribe(port: fourthPort, workspace: streamed, token: admin, into: received) }
        defer { subscriber.cancel() }
        try await poll(deadline: .seconds(20), "the relayed stream to be ready") { received.isReady }
        let live = "live-through-4"
        let livePost = try await Self.request("POST", nodes[0].baseURL + "/v1/workspaces/\(courses[elsewhereCourse].workspace)/channels/\(courses[elsewhereCourse].channel)/messages",
                                              token: admin, body: ["text": live, "client_msg_id": live])
        #expect(livePost.status == 201)
        courses[elsewhereCourse].texts.append(live)
        try await poll(deadline: .seconds(10), "the event to arrive through node 4") {
            received.createdTexts(in: courses[elsewhereCourse].channel) == [live]
        }
        // One's own workspaces, gathered across partitions, whichever node is asked.
        for node in nodes + [fourth] {
            let mine = try await Self.request("GET", node.baseURL + "/v1/workspaces", token: admin, body: nil)
            let ids = Set((mine.json["workspaces"] as? [[String: Any]] ?? []).compactMap { ($0["workspace"] as? [String: Any])?["id"] as? String })
            #expect(ids == Set(courses.map(\.workspace)), "every course listed through \(node.baseURL)")
        }
        // A write through the new node, for a course it may well not hold.
        for course in courses.indices {
            let text = "via-4-\(course)"
            let posted = try await Self.request("POST", fourth.baseURL + "/v1/workspaces/\(courses[course].workspace)/channels/\(courses[course].channel)/messages",
                                                token: admin, body: ["text": text, "client_msg_id": text])
            #expect(posted.status == 201, "\(posted.json)")
            courses[course].texts.append(text)
        }

        // Removing node 2: it is drained, its replicas re-created on 1, 3 and 4, then it leaves.
        let removed = try await nodes[0].quadctl(["node", "remove", "2", "-o", "json"])
        #expect(removed.status == 0, "\(removed.output)")
        let remaining = try await Self.replicasByNode(through: nodes[0])
        #expect(remaining.replicas[2] == nil, "node 2 is no member: \(remaining)")
        #expect(remaining.replicas.values.reduce(0, +) == 24, "every replica re-created: \(remaining)")
        for node in [nodes[0], nodes[2], fourth] {
            _ = try await Self.expectHistories(courses, through: node, admin: admin, "after removing node 2")
        }
        #expect(nodes[1].stop() == 0, "the removed node stops cleanly")
    }
}
