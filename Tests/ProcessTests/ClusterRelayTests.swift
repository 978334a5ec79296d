import Foundation
import QuadCore
import Testing

extension ClusterTests {
    /// Proves a request through a node that holds no replica of its partition is served at once
    /// while any one of the partition's holders is down: a holder that refuses the connection is
    /// skipped for the next, and live holders come first. The relay used to go to the first holder
    /// in placement order, down or not, retry connecting for 15 s and answer 503.
    @Test func relaysSkipAHolderThatIsDown() async throws {
        let (nodes, root) = try await Self.startCluster(count: 4)
        defer { for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let admin = try nodes[0].token(user: "admin", admin: true)
        try #require(try await Self.request("POST", nodes[0].baseURL + "/v1/platforms", token: admin,
                                            body: ["id": "lms", "name": "LMS"]).status == 201)
        let outsider = nodes[3]
        let course = try await Self.course(notHeldBy: outsider, through: nodes[0], admin: admin)
        let created = try await Self.request("POST", nodes[0].baseURL + "/v1/workspaces", token: admin, body: [
            "platform_id": "lms", "kind": "course", "name": "Course", "external_id": course, "templates": ["chatter"]])
        let workspace = try #require((created.json["workspace"] as? [String: Any])?["id"] as? String, "\(created.json)")
        let holders = try await Self.replicas(of: workspace, through: nodes[0], admin: admin)
        try #require(holders.count == 3 && !holders.contains(outsider.id), "\(holders)")
        for holder in nodes where holders.contains(holder.id) {
            holder.kill9()
            // The first read may still be relayed to the node just killed: it is refused, and the next holder answers.
            let answer = try await HTTP.request("GET", outsider.baseURL + "/v1/workspaces/\(workspace)", token: admin, body: nil)
            #expect(answer.status == 200, "a read through node \(outsider.id) right after node \(holder.id) went down: \(answer.json)")
            try await holder.start()
            try await Task.sleep(for: .seconds(1))  // its peers hear it again before the next holder goes down
        }
    }
}
