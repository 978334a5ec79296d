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
            let cluster = try ok(try await server.get("/v1/admin/cluster", as: Users.admin))
            #expect(cluster["nodes"].array.count == 1)
            #expect(cluster["nodes"][0]["state"].string == "up")
            #expect(cluster["partitions_without_leader"].array.isEmpty)
            expectError(try await server.get("/v1/admin/status", as: Users.learner), .forbidden, "forbidden")
            expectError(try await server.get("/v1/admin/cluster", as: Users.instructor), .forbidden, "forbidden")
        }
    }
}
