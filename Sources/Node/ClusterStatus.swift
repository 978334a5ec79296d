import QuadCore

/// One partition as this node sees it.
public struct PartitionStatus: Sendable, Encodable, Equatable {
    public var partition: UInt32
    /// The leader this node knows of (0: none).
    public var leader: UInt64
    public var term: UInt64
    public var commit: UInt64
    public var applied: UInt64
    /// This node's role in the group: leader, follower, candidate, pre-candidate.
    public var role: String
    public var replicas: [UInt64]
    public var learners: [UInt64]
}

/// What a node reports about itself and the partitions it holds.
public struct NodeStatus: Sendable, Encodable, Equatable {
    public var node: UInt64
    public var version: String
    public var clustered: Bool
    public var members: [UInt64]
    public var partitionCount: UInt32
    public var partitions: [PartitionStatus]
    public var databaseBytes: UInt64
    /// Partitions this node leads.
    public var leaders: Int { partitions.filter { $0.leader == node }.count }
}

extension ReplicaHost {
    /// The state of every group held here.
    public func groupStatus() -> [PartitionStatus] {
        groups.keys.sorted().compactMap { partition in
            guard let group = groups[partition] else { return nil }
            return PartitionStatus(partition: partition.rawValue, leader: group.leader.rawValue,
                                   term: group.term.rawValue, commit: group.commitIndex.rawValue,
                                   applied: appliedIndex(of: partition).rawValue, role: group.role.rawValue,
                                   replicas: group.membership.voters.map(\.rawValue),
                                   learners: group.membership.learners.map(\.rawValue))
        }
    }
}

extension ReplicaDriver {
    public func groupStatus() -> [PartitionStatus] { host.groupStatus() }
}

extension CommunityNode {
    /// The version every node reports (and `quadctl status` shows).
    public static let version = "0.1.0"

    /// This node's status: in a cluster the groups it holds; on a single node every partition,
    /// led by itself, with the applied index as commit.
    public func status() async throws -> NodeStatus {
        let partitions: [PartitionStatus]
        if let replicas {
            partitions = await replicas.groupStatus()
        } else {
            let id = configuration.nodeID.rawValue
            partitions = try (0..<placement.partitionCount).map { raw in
                let applied = try logStore.appliedIndex(group: PartitionID(raw)).rawValue
                return PartitionStatus(partition: raw, leader: id, term: 1, commit: applied, applied: applied,
                                       role: "leader", replicas: [id], learners: [])
            }
        }
        return NodeStatus(node: configuration.nodeID.rawValue, version: Self.version,
                          clustered: configuration.isClustered,
                          members: configuration.isClustered ? configuration.members.map(\.rawValue)
                              : [configuration.nodeID.rawValue],
                          partitionCount: placement.partitionCount, partitions: partitions,
                          databaseBytes: database.approximateSizeBytes)
    }
}
