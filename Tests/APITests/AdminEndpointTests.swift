import Foundation
import Hummingbird
import Testing

/// The operator's admin API on a single node.
@Suite struct AdminEndpointTests {
    @Test func statusIsForAdministratorsOnly() async throws {
        // Proves /v1/admin/status and /v1/admin/cluster answer administrators with every partition led by this
        // single node, and refuse learners with 403.
        try await TestServer.run { server in
            _ = try await Course.make(on: server)
            let status = try ok(try await server.get("/v1/admin/status", as: Users.admin))
            #expect(status["node"].int == 1)
            #expect(status["clustered"] == .bool(false))
            let partitions = status["partitions"].array
            #expect(partitions.count == status["partition_count"].int)
            #expect(partitions.allSatisfy { $0["leader"].int == 1 && $0["role"].string == "leader" })
            #expect(partitions.contains { ($0["applied"].int ?? 0) > 0 }, "the course's writes were applied")
            #expect(partitions.compactMap { $0["workspaces"].int }.reduce(0, +) == 1, "one course, counted once")
            let cluster = try ok(try await server.get("/v1/admin/cluster", as: Users.admin))
            #expect(cluster["nodes"].array.count == 1)
            #expect(cluster["nodes"][0]["state"].string == "up")
            #expect(cluster["partitions_without_leader"].array.isEmpty)
            expectError(try await server.get("/v1/admin/status", as: Users.learner), .forbidden, "forbidden")
            expectError(try await server.get("/v1/admin/cluster", as: Users.instructor), .forbidden, "forbidden")
        }
    }
}

/// `/metrics`: the node's counters in Prometheus text format.
@Suite struct MetricsEndpointTests {
    /// `name value` of every unlabelled sample line.
    static func samples(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    @Test func writesCountProposalsAppliesAndFsyncs() async throws {
        // Proves /metrics needs no token, is Prometheus text, and that three posts add three proposals, three applied
        // commands and between one and three fsyncs (group commit may share one).
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let before = try await server.get("/metrics", as: nil)
            #expect(before.status == .ok)
            #expect(before.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(before.text.contains("# TYPE quad_log_fsyncs_total counter"))
            for index in 0..<3 { _ = try await course.post("m\(index)", in: course.chatter, as: Users.learner) }
            let after = Self.samples(try await server.get("/metrics", as: nil).text)
            let earlier = Self.samples(before.text)
            func delta(_ name: String) -> Double { (after[name] ?? 0) - (earlier[name] ?? 0) }
            #expect(delta("quad_proposals_total") == 3)
            #expect(delta("quad_commands_applied_total") == 3)
            #expect((1...3).contains(delta("quad_log_fsyncs_total")))
            #expect(after["quad_partitions_led"] == Double(server.node.placement.partitionCount))
        }
    }
}
