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
        group.post("admin/partitions/:partition/leader") { request, context in
            try requireAdmin(context)
            guard let raw = context.parameters.get("partition"), let partition = UInt32(raw) else {
                throw APIError.invalid("invalid_partition", "The partition in the path is not a number.")
            }
            let body = try await request.decode(as: LeaderTransferRequest.self, context: context)
            guard body.node >= 1 else { throw APIError.invalid("invalid_target", "node must be 1 or more.") }
            let leader = try await node.transferLeadership(of: PartitionID(partition), to: NodeID(body.node))
            return LeaderTransferResponse(partition: partition, leader: leader.rawValue).ok
        }
    }

    private func requireAdmin(_ context: QuadRequestContext) throws {
        guard try context.requireActor().isAdmin else {
            throw APIError(.forbidden, "forbidden", "Only administrators use the admin API.")
        }
    }
}

/// `POST /v1/admin/partitions/{partition}/leader`: the node to lead the partition.
struct LeaderTransferRequest: Decodable {
    let node: UInt64
}

/// The partition's leader once the transfer finished.
struct LeaderTransferResponse: Encodable {
    let partition: UInt32
    let leader: UInt64
}

