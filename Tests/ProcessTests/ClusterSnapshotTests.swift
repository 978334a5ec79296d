import Foundation
import Testing

extension ClusterTests {
    /// Proves log compaction and snapshot streaming between real processes: node 3 loses its data
    /// directory while 120 posts are written; the partition's log is compacted meanwhile, so the
    /// rebuilt node is caught up by a snapshot streamed over HTTP/2, reads everything through its
    /// own API, and keeps following the log after it.
    @Test func aNodeRebuiltFromEmptyCatchesUpFromASnapshot() async throws {
        let (nodes, root) = try await Self.startCluster(
            extraArguments: ["--compact-after-entries", "40", "--retained-entries", "10"])
        defer { for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let admin = try nodes[0].token(user: "admin", admin: true)
        let (workspace, channel) = try await Self.makeCourse("Snapshots", through: nodes[0], admin: admin)
        let path = "/v1/workspaces/\(workspace)/channels/\(channel)/messages"
        nodes[2].kill9()
        let kept = ["dev-signin.key"]
        for name in try FileManager.default.contentsOfDirectory(atPath: nodes[2].dataDirectory) where !kept.contains(name) {
            try FileManager.default.removeItem(atPath: nodes[2].dataDirectory + "/" + name)
        }
        var acknowledged: [String] = []
        for index in 0..<120 {
            let answer = try await Self.request("POST", nodes[index % 2].baseURL + path, token: admin,
                                                body: ["text": "m\(index)", "client_msg_id": "m\(index)"])
            if answer.status == 201 || answer.status == 200 { acknowledged.append("m\(index)") }
        }
        #expect(acknowledged.count == 120)
        try await nodes[2].start()
        var stored: [String] = []
        try await poll(deadline: .seconds(30), "the rebuilt node to hold every post") {
            let history = try await Self.request("GET", nodes[2].baseURL + path + "?after=0&limit=200", token: admin, body: nil)
            stored = (history.json["messages"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            return stored == acknowledged
        }
        #expect(stored == acknowledged)
        let sent = try await [Self.metrics(of: nodes[0]), Self.metrics(of: nodes[1])]
            .map { $0["quad_snapshots_sent_total"] ?? 0 }.reduce(0, +)
        let installed = try await Self.metrics(of: nodes[2])["quad_snapshots_installed_total"] ?? 0
        #expect(sent >= 1 && installed >= 1, "caught up by snapshot: \(sent) sent, \(installed) installed")
        let after = try await Self.request("POST", nodes[2].baseURL + path, token: admin,
                                           body: ["text": "after", "client_msg_id": "after"])
        #expect(after.status == 201)
        let history = try await Self.request("GET", nodes[0].baseURL + path + "?after=0&limit=200", token: admin, body: nil)
        let sequences = (history.json["messages"] as? [[String: Any]] ?? []).compactMap { ($0["sequence"] as? NSNumber)?.intValue }
        #expect(sequences == Array(1...121), "gapless, with the post written through the rebuilt node")
    }
}
