import Foundation
import Testing

/// Three real `quad` processes on loopback forming one cluster.
@Suite(.serialized)
struct ClusterTests {
    /// Starts nodes 1...count sharing one dev sign-in key and one session key (as operators copy
    /// them, docs/operations.md), each on free API and peer ports.
    static func startCluster(count: Int = 3, clusterID: String = "quad", extraArguments: [String] = []) async throws
        -> (nodes: [QuadProcess], root: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quad-cluster-\(UUID())").path
        func randomKey() -> String { (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() }
        let key = randomKey(), sessionKey = randomKey(), credentialsKey = randomKey()
        let peerPorts = try (0..<count).map { _ in try freePort() }
        let members = (1...count).map { "\($0)=127.0.0.1:\(peerPorts[$0 - 1])" }.joined(separator: ",")
        var nodes: [QuadProcess] = []
        for id in 1...count {
            let directory = root + "/n\(id)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (file, contents) in [("dev-signin.key", key), ("session.key", sessionKey),
                                     ("provider-credentials.key", credentialsKey)] {
                _ = FileManager.default.createFile(atPath: directory + "/" + file, contents: Data(contents.utf8),
                                               attributes: [.posixPermissions: 0o600])
            }
            nodes.append(QuadProcess(dataDirectory: directory, port: try freePort(),
                                     extraArguments: ["--node-id", "\(id)", "--members", members, "--partitions", "8",
                                                      "--cluster-id", clusterID] + extraArguments))
        }
        for node in nodes { try await node.start() }
        return (nodes, root)
    }

    /// Retries a request while the cluster answers 503 (no leader yet), as a client would.
    static func request(_ method: String, _ url: String, token: String, body: [String: Any]?,
                        deadline: Duration = .seconds(20)) async throws -> HTTP.Answer {
        let end = ContinuousClock.now + deadline
        while true {
            let answer = try? await HTTP.request(method, url, token: token, body: body)
            if let answer, answer.status != 503 { return answer }
            guard ContinuousClock.now < end else { throw ProcessTestError("\(method) \(url) kept failing") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Proves a workspace created and written through node 1 is readable through node 3,
    /// for workspaces on several partitions.
    @Test func writeThroughOneNodeReadThroughAnother() async throws {
        let (nodes, root) = try await Self.startCluster()
        defer { for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let admin = try nodes[0].token(user: "admin", admin: true)
        let first = nodes[0].baseURL + "/v1", third = nodes[2].baseURL + "/v1"
        let platform = try await Self.request("POST", first + "/platforms", token: admin, body: ["id": "lms", "name": "LMS"])
        try #require(platform.status == 201)
        for course in 0..<4 {
            let created = try await Self.request("POST", first + "/workspaces", token: admin,
                                                 body: ["platform_id": "lms", "kind": "course", "name": "C\(course)",
                                                        "external_id": "course-\(course)", "templates": ["chatter"]])
            try #require(created.status == 201)
            let workspace = try #require((created.json["workspace"] as? [String: Any])?["id"] as? String)
            let channel = try #require((created.json["channels"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await Self.request("POST", first + "/workspaces/\(workspace)/members", token: admin,
                                       body: ["members": [["user_id": "admin", "role": "instructor"]]])
            _ = try await Self.request("POST", first + "/workspaces/\(workspace)/channels/\(channel)/join",
                                       token: admin, body: nil)
            let posted = try await Self.request("POST", first + "/workspaces/\(workspace)/channels/\(channel)/messages",
                                                token: admin, body: ["text": "hello \(course)", "client_msg_id": "c\(course)"])
            #expect(posted.status == 201)
            let history = try await Self.request(
                "GET", third + "/workspaces/\(workspace)/channels/\(channel)/messages", token: admin, body: nil)
            let texts = (history.json["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
            #expect(texts == ["hello \(course)"], "node 3 reads what node 1 acknowledged")
        }
        try await Self.expectQuadctlShowsAHealthyCluster(through: nodes[2], size: 3, partitions: 8, workspaces: 4)
        // Each node's /metrics counts what happened: 17 writes entered through node 1 (proposed there or
        // forwarded), every node fsynced, and every group elected a leader (each replica saw the change).
        var metrics: [[String: Double]] = []
        for node in nodes { metrics.append(try await Self.metrics(of: node)) }
        #expect((metrics[0]["quad_proposals_total"] ?? 0) + (metrics[0]["quad_forwarded_writes_total"] ?? 0) >= 17)
        #expect(metrics.allSatisfy { ($0["quad_log_fsyncs_total"] ?? 0) > 0 })
        #expect(metrics.map { $0["quad_elections_total"] ?? 0 }.reduce(0, +) >= 8)
        #expect(metrics.map { $0["quad_leader_changes_total"] ?? 0 }.reduce(0, +) >= 24)
        for node in nodes {
            let status = node.stop()
            #expect(status == 0, "a clean shutdown; the node's log ends:\n\(node.logTail())")
        }
    }
}

extension ClusterTests {
    /// Proves that killing (SIGKILL) the leader of a workspace's partition during a stream of writes loses no
    /// acknowledged write, writes resume through another node (the figure is printed), and the restarted node catches up.
    @Test func leaderKillDuringWrites() async throws {
        let (nodes, root) = try await Self.startCluster()
        defer { for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let admin = try nodes[0].token(user: "admin", admin: true)
        let base = nodes[0].baseURL + "/v1"
        let (workspace, channel) = try await Self.makeCourse("Failover", through: nodes[0], admin: admin)
        let located = try await Self.request("GET", base + "/admin/locate/\(workspace)", token: admin, body: nil)
        let leader = try #require((located.json["leader"] as? NSNumber)?.intValue)
        try #require(leader >= 1 && leader <= 3)
        let survivor = nodes[leader % 3]  // another node
        let messages = survivor.baseURL + "/v1/workspaces/\(workspace)/channels/\(channel)/messages"
        var acknowledged: [String] = []
        for index in 0..<20 {
            let answer = try await Self.request("POST", messages, token: admin,
                                                body: ["text": "a\(index)", "client_msg_id": "a\(index)"])
            if answer.status == 201 || answer.status == 200 { acknowledged.append("a\(index)") }
        }
        nodes[leader - 1].kill9()
        let killedAt = ContinuousClock.now
        var firstAfterKill: Duration?
        for index in 0..<20 {
            let answer = try await Self.request("POST", messages, token: admin,
                                                body: ["text": "b\(index)", "client_msg_id": "b\(index)"])
            if answer.status == 201 || answer.status == 200 {
                acknowledged.append("b\(index)")
                if firstAfterKill == nil { firstAfterKill = ContinuousClock.now - killedAt }
            } else {
                print("cluster-failover: write b\(index) answered \(answer.status) \(answer.json)")
            }
        }
        let resumed = try #require(firstAfterKill)
        print("cluster-failover: first acknowledged write \(resumed) after SIGKILL of the leader")
        // The target is 2 s (election timeout 0.5-1 s plus one retry); this suite shares two cores
        // with every other test, so the bound here only catches a failover that did not happen
        // in time at all. The figure is printed for the notes; `make test-long` repeats it.
        #expect(resumed < .seconds(6), "writes resumed after \(resumed)")
        // The survivors report the killed node down; once every partition it led has elected a new
        // leader (4, unavailable, until then) the cluster is degraded: exit status 3.
        var output = ""
        try await poll(deadline: .seconds(20), "quadctl status to report the cluster degraded") {
            let answer = try await survivor.quadctl(["status", "-o", "json"])
            output = answer.output
            return answer.status == 3
        }
        let members = Self.json(output)["nodes"] as? [[String: Any]] ?? []
        #expect(members.first { $0["id"] as? Int == leader }?["state"] as? String == "down")
        try await nodes[leader - 1].start()
        let restarted = nodes[leader - 1].baseURL + "/v1/workspaces/\(workspace)/channels/\(channel)/messages?after=0&limit=200"
        let history = try await Self.request("GET", restarted, token: admin, body: nil)
        let stored = (history.json["messages"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(stored == acknowledged, "every acknowledged write, once, in order, on the restarted node")
        let sequences = (history.json["messages"] as? [[String: Any]] ?? []).compactMap { ($0["sequence"] as? NSNumber)?.intValue }
        #expect(sequences == Array(1...sequences.count), "gapless")
    }
}

extension ClusterTests {
    /// Through `node`: platform `lms`, a course with a chatter channel, `admin` its instructor and in the
    /// channel. Returns the workspace and channel IDs.
    static func makeCourse(_ name: String, through node: QuadProcess, admin: String) async throws
        -> (workspace: String, channel: String) {
        let base = node.baseURL + "/v1"
        _ = try await request("POST", base + "/platforms", token: admin, body: ["id": "lms", "name": "LMS"])
        let created = try await request("POST", base + "/workspaces", token: admin,
                                        body: ["platform_id": "lms", "kind": "course", "name": name,
                                               "templates": ["chatter"]])
        let workspace = try #require((created.json["workspace"] as? [String: Any])?["id"] as? String)
        let channel = try #require((created.json["channels"] as? [[String: Any]])?.first?["id"] as? String)
        _ = try await request("POST", base + "/workspaces/\(workspace)/members", token: admin,
                              body: ["members": [["user_id": "admin", "role": "instructor"]]])
        _ = try await request("POST", base + "/workspaces/\(workspace)/channels/\(channel)/join", token: admin,
                              body: nil)
        return (workspace, channel)
    }

    /// The unlabelled samples of a node's /metrics (`name value` lines).
    static func metrics(of node: QuadProcess) async throws -> [String: Double] {
        guard let url = URL(string: node.baseURL + "/metrics") else { return [:] }
        let (data, _) = try await HTTP.session.data(from: url)
        var values: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// Runs the real `quadctl status`, `partitions` and `locate` against `node` and checks what they print.
    static func expectQuadctlShowsAHealthyCluster(through node: QuadProcess, size: Int, partitions: Int,
                                                  workspaces: Int) async throws {
        var last = (status: Int32(-1), output: "")
        try await poll(deadline: .seconds(20), "quadctl status to exit 0") {
            last = try await node.quadctl(["status", "-o", "json"])
            return last.status == 0
        }
        let status = json(last.output)
        #expect(status["health"] as? String == "healthy")
        let members = status["nodes"] as? [[String: Any]] ?? []
        #expect(members.count == size)
        #expect(members.allSatisfy { $0["state"] as? String == "up" && ($0["replicas"] as? Int ?? 0) > 0 })
        #expect((members.compactMap { $0["leaders"] as? Int }).reduce(0, +) == partitions, "each partition led once")
        #expect(members.allSatisfy { ($0["address"] as? String)?.hasPrefix("http://127.0.0.1:") == true })
        // The asked node has no LAST HEARTBEAT of its own; the others' traffic is recent (a pair
        // with no group in which either leads has nothing to say, so not every pair is heard).
        let heard = members.map { $0["last_heartbeat_ms"] as? Int }
        let asked = members.first { ($0["address"] as? String) == node.baseURL }
        #expect(asked != nil && asked?["last_heartbeat_ms"] as? Int == nil, "\(heard)")
        #expect(!heard.compactMap { $0 }.isEmpty && heard.compactMap { $0 }.allSatisfy { $0 < 2_000 }, "\(heard)")
        #expect((status["partitions_without_leader"] as? [Any])?.isEmpty == true)
        #expect(status["partitions_with_leader"] as? Int == partitions)

        let table = try await node.quadctl(["status"])
        #expect(table.status == 0)
        #expect(table.output.hasPrefix("ID  ADDRESS"), "\(table.output)")
        #expect(table.output.contains("LAST HEARTBEAT") && table.output.contains("ms ago"), "\(table.output)")
        #expect(table.output.contains("partitions with a leader: \(partitions)/\(partitions)"))

        // The leader balancer hands leaderships over every few seconds; a partition in the middle of
        // a handover has no leader for a moment, so look until one listing shows every leader.
        var listed = (status: Int32(-1), output: "")
        var rows: [[String: Any]] = []
        try await poll(deadline: .seconds(10), "quadctl partitions to show every leader") {
            listed = try await node.quadctl(["partitions", "-o", "json"])
            rows = json(listed.output)["partitions"] as? [[String: Any]] ?? []
            return rows.count == partitions && rows.allSatisfy { ($0["leader"] as? Int ?? 0) > 0 }
        }
        #expect(listed.status == 0)
        #expect(rows.count == partitions)
        #expect(rows.allSatisfy { ($0["leader"] as? Int ?? 0) > 0 && ($0["replicas"] as? [Int])?.count == min(3, size) })
        #expect(rows.compactMap { $0["workspaces"] as? Int }.reduce(0, +) == workspaces, "each workspace counted once")

        let located = try await node.quadctl(["locate", "some-course", "-o", "json"])
        #expect(located.status == 0)
        let location = json(located.output)
        let partition = try #require(location["partition"] as? Int)
        #expect(rows.first { $0["partition"] as? Int == partition }?["leader"] as? Int == location["leader"] as? Int)

        let refused = try await node.quadctl(["locate", "not a workspace"])
        #expect(refused.status != 0, "a malformed workspace ID is a usage error")

        // Leaders spread evenly by themselves (8 partitions over 3 nodes: 3, 3, 2)...
        try await poll(deadline: .seconds(30), "leaders to spread evenly") {
            let answer = json(try await node.quadctl(["status", "-o", "json"]).output)
            let led = (answer["nodes"] as? [[String: Any]] ?? []).compactMap { $0["leaders"] as? Int }
            return led.count == size && led.reduce(0, +) == partitions && (led.max() ?? 0) - (led.min() ?? 0) <= 1
        }
        // ...and an operator moves one: partition 0 to a voter that does not lead it.
        let before = rows.first { $0["partition"] as? Int == 0 }
        let leaderBefore = try #require(before?["leader"] as? Int)
        let target = leaderBefore % size + 1
        let moved = try await node.quadctl(["leader", "transfer", "0", "\(target)", "-o", "json"])
        #expect(moved.status == 0, "\(moved.output)")
        #expect(json(moved.output)["leader"] as? Int == target)
        let notAVoter = try await node.quadctl(["leader", "transfer", "0", "9"])
        #expect(notAVoter.status == 1, "node 9 is no voter of partition 0")
    }
}

extension ClusterTests {
    /// Proves a data directory refuses another cluster's or node's identity, and that a node started empty
    /// with another cluster ID is refused by the members and stops with a clear error, while they carry on.
    @Test func aNodeOfAnotherClusterIsRefused() async throws {
        let (nodes, root) = try await Self.startCluster(clusterID: "blue")
        defer { for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let third = nodes[2]
        #expect(third.stop() == 0)
        var arguments = third.extraArguments
        let clusterFlag = try #require(arguments.firstIndex(of: "--cluster-id"))
        arguments[clusterFlag + 1] = "green"

        let wrongCluster = QuadProcess(dataDirectory: third.dataDirectory, port: third.port, extraArguments: arguments)
        await #expect(throws: ProcessTestError.self) { try await wrongCluster.start() }
        #expect(wrongCluster.logTail().contains(#"belongs to cluster "blue", not "green""#), "\(wrongCluster.logTail())")

        var asNodeTwo = third.extraArguments
        let nodeFlag = try #require(asNodeTwo.firstIndex(of: "--node-id"))
        asNodeTwo[nodeFlag + 1] = "2"
        let wrongNode = QuadProcess(dataDirectory: third.dataDirectory, port: third.port, extraArguments: asNodeTwo)
        await #expect(throws: ProcessTestError.self) { try await wrongNode.start() }
        #expect(wrongNode.logTail().contains("belongs to node 3, not 2"), "\(wrongNode.logTail())")

        let stranger = QuadProcess(dataDirectory: root + "/stranger", port: try freePort(), extraArguments: arguments)
        do {
            try await stranger.start()
            let status = try await stranger.waitForExit(deadline: .seconds(20))
            #expect(status == 1, "\(stranger.logTail())")
        } catch {
            // It may already have been refused and stopped before it answered /health.
        }
        #expect(stranger.logTail().contains("most peers refused this node"), "\(stranger.logTail())")
        #expect(stranger.logTail().contains("cluster_mismatch"))
        #expect(nodes[0].logTail(lines: 1_000).contains("refused a peer of another cluster"))
        // Being refused by the stranger (one peer of two) does not stop the members.
        try await Task.sleep(for: .seconds(2))
        #expect(nodes[0].isRunning && nodes[1].isRunning, "\(nodes[0].logTail())")

        // The members carry on: node 3 (stopped) is down, every partition still has a leader.
        try await poll(deadline: .seconds(20), "the two members to report degraded, not unavailable") {
            try await nodes[0].quadctl(["status"]).status == 3
        }
    }
}

