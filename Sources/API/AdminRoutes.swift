import Hummingbird
import Node
import QuadCore

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
        group.get("admin/locate/:workspace") { _, context in
            try requireAdmin(context)
            guard let raw = context.parameters.get("workspace"), let workspace = WorkspaceID(rawValue: raw) else {
                throw APIError.invalid("invalid_workspace_id", "The workspace ID in the path is not a valid identifier.")
            }
            return try await node.locate(workspace).ok
        }
    }

    private func requireAdmin(_ context: QuadRequestContext) throws {
        guard try context.requireActor().isAdmin else {
            throw APIError(.forbidden, "forbidden", "Only administrators use the admin API.")
        }
    }
}
