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
        group.get("admin/nodes") { _, context in
            try requireAdmin(context)
            return ClusterMembersResponse(try await node.memberTable()).ok
        }
        group.post("admin/nodes") { request, context in
            try requireAdmin(context)
            let body = try await request.decode(as: NodeAddRequest.self, context: context)
            guard body.id >= 1 else { throw APIError.invalid("invalid_node", "id must be 1 or more.") }
            guard PeerAddressText.isValid(body.peerAddress) else {
                throw APIError.invalid("invalid_peer_address", "peer_address is HOST:PORT, e.g. 10.0.0.4:9091.")
            }
            let record = MemberRecord(id: NodeID(body.id), peerAddress: body.peerAddress)
            return ClusterMembersResponse(try await node.changeMembers(.add(record))).ok
        }
        group.post("admin/nodes/:node/drain") { _, context in
            try requireAdmin(context)
            return ClusterMembersResponse(try await node.changeMembers(.setState(try nodeParameter(context), .draining))).ok
        }
        group.post("admin/nodes/:node/remove") { _, context in
            try requireAdmin(context)
            let id = try nodeParameter(context)
            try await node.checkRemovable(id)
            return ClusterMembersResponse(try await node.changeMembers(.remove(id))).ok
        }
    }

    private func nodeParameter(_ context: QuadRequestContext) throws -> NodeID {
        guard let raw = context.parameters.get("node"), let id = UInt64(raw), id >= 1 else {
            throw APIError.invalid("invalid_node", "The node in the path is not a node ID (1 or more).")
        }
        return NodeID(id)
    }

    private func requireAdmin(_ context: QuadRequestContext) throws {
        guard try context.requireActor().isAdmin else {
            throw APIError(.forbidden, "forbidden", "Only administrators use the admin API.")
        }
    }
}

/// `POST /v1/admin/nodes`: a member to add.
struct NodeAddRequest: Decodable {
    let id: UInt64
    let peerAddress: String
}

/// `host:port` as a member's peer address.
enum PeerAddressText {
    static func isValid(_ text: String) -> Bool {
        guard text.count <= 255, let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = Int(text[text.index(after: colon)...]) else { return false }
        return (1...65535).contains(port) && !text.contains(where: \.isWhitespace)
    }
}

/// The member table: `GET /v1/admin/nodes` and the answer of every change.
struct ClusterMembersResponse: Encodable {
    struct Member: Encodable {
        let id: UInt64
        let peerAddress: String
        let apiAddress: String?
        let state: String
    }
    let partitionCount: UInt32
    let nodes: [Member]

    init(_ table: MemberTable) {
        partitionCount = table.partitionCount
        nodes = table.members.values.sorted { $0.id < $1.id }.map {
            Member(id: $0.id.rawValue, peerAddress: $0.peerAddress, apiAddress: $0.apiAddress.isEmpty ? nil : $0.apiAddress,
                   state: $0.state == .active ? "active" : "draining")
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

