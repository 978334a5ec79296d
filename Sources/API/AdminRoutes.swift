import Hummingbird
import Node

/// The operator's API under `/v1/admin`, for administrators only; `quadctl` talks to it.
struct AdminRoutes: Sendable {
    let node: CommunityNode

    func add(to group: RouterGroup<QuadRequestContext>) {
        group.get("admin/status") { _, context in
            try requireAdmin(context)
            return try await node.status().ok
        }
        group.get("admin/cluster") { _, context in
            try requireAdmin(context)
            return try await node.clusterReport().ok
        }
    }

    private func requireAdmin(_ context: QuadRequestContext) throws {
        guard try context.requireActor().isAdmin else {
            throw APIError(.forbidden, "forbidden", "Only administrators use the admin API.")
        }
    }
}
