import Community
import QuadCore

extension ReplicaHost {
    /// The state of every group held here; with `countingWorkspaces`, each partition's workspaces
    /// too (a bounded scan per partition: for operators, not for every tick).
    public func groupStatus(countingWorkspaces: Bool = false, metadata: Bool = false) -> [PartitionStatus] {
        groups.keys.sorted().filter { $0.isMetadata == metadata }.compactMap { partition in
            guard let group = groups[partition] else { return nil }
            let workspaces = countingWorkspaces
                ? try? PartitionCensus.workspaceCount(PartitionRowReader(database: database, partition: partition))
                : nil
            return PartitionStatus(partition: partition.rawValue, leader: group.leader.rawValue,
                                   term: group.term.rawValue, commit: group.commitIndex.rawValue,
                                   applied: appliedIndex(of: partition).rawValue, role: group.role.rawValue,
                                   replicas: group.membership.voters.map(\.rawValue),
                                   learners: group.membership.learners.map(\.rawValue), workspaces: workspaces)
        }
    }
}

extension ReplicaDriver {
    public func groupStatus() -> [PartitionStatus] { host.groupStatus() }

    /// This node's status as reported to operators and to peers asking for it.
    public func nodeStatus(members: [NodeID]) -> NodeStatus {
        NodeStatus(node: nodeID.rawValue, version: CommunityNode.version, clustered: true,
                   members: members.map(\.rawValue), partitionCount: placement.partitionCount,
                   partitions: host.groupStatus(countingWorkspaces: true),
                   databaseBytes: host.database.approximateSizeBytes, address: apiAddress,
                   metadata: host.groupStatus(metadata: true).first)
    }
}

/// The answer to a forwarded request: 0 and the body, or 1 and the `NodeError` code the asking
/// node raises (the membership change adds 2 and the refusal's reason).
enum ForwardAnswer {
    static func success(_ body: [UInt8]) -> [UInt8] { [0] + body }

    static func failure(_ code: NodeError.Code) -> [UInt8] { [1] + Array(code.rawValue.utf8) }

    /// A thrown error as an answer: its code when it is a `NodeError`, else `unavailable`.
    static func failure(_ error: any Error) -> [UInt8] { failure((error as? NodeError)?.code ?? .unavailable) }

    /// The error a failure answer names, as the asking node raises it: a `not_leader` there
    /// (leadership moved on the way) is "retry" here.
    static func error(in answer: [UInt8], _ message: String) -> NodeError {
        let code = NodeError.Code(rawValue: String(decoding: answer.dropFirst(), as: UTF8.self)) ?? .unavailable
        return NodeError(code == .notLeader ? .unavailable : code, message)
    }
}

/// Kinds of requests nodes forward to each other (the first byte of a Forward request).
enum ForwardKind: UInt8 {
    /// A client write for a partition the receiver leads.
    case command = 1
    /// "Report your status" (for `quadctl status` on any node).
    case status = 2
    /// "Hand leadership of this partition to this node" (to the partition's leader).
    case transfer = 3
    /// "Send me your member table" (a joining node learning where its peers are).
    case members = 4
    /// A change of the member table (to the metadata group's leader).
    case memberCommand = 5
    /// "Someone's workspaces in these partitions" (from a node that holds none of them).
    case memberships = 6
    /// "How many partitions do you lead?" (for leader balancing).
    case leaderCount = 7
    /// "The SSO issuers and LTI registrations in these partitions" (sign-in on a node that holds
    /// none of them). A build without it answers `unavailable`, as to any unknown kind.
    case signInSettings = 8
    /// "These workspaces' calendars as this user sees them" (a calendar feed on a node that holds
    /// none of their partitions). A build without it answers `unavailable`, as to any unknown kind.
    case calendars = 9
    /// "A platform's sealed credentials for a meeting provider" (scheduling a provisioned session on
    /// a node that holds the workspace's partition but not the platform's). Unknown to older builds.
    case meetingCredentials = 10
}

extension CommunityNode {
    /// The version every node reports (and `quadctl status` shows).
    public static let version = "0.1.0"

    /// This node's status: in a cluster the groups it holds; on a single node every partition,
    /// led by itself, with the applied index as commit.
    public func status() async throws -> NodeStatus {
        if let replicas { return await replicas.nodeStatus(members: replicas.knownMembers()) }
        let partitions: [PartitionStatus]
        do {
            let id = configuration.nodeID.rawValue
            partitions = try (0..<placement.partitionCount).map { raw in
                let applied = try logStore.appliedIndex(group: PartitionID(raw)).rawValue
                let workspaces = try PartitionCensus.workspaceCount(PartitionRowReader(database: database,
                                                                                       partition: PartitionID(raw)))
                return PartitionStatus(partition: raw, leader: id, term: 1, commit: applied, applied: applied,
                                       role: "leader", replicas: [id], learners: [], workspaces: workspaces)
            }
        }
        return NodeStatus(node: configuration.nodeID.rawValue, version: Self.version,
                          clustered: configuration.isClustered,
                          members: configuration.isClustered ? configuration.members.map(\.rawValue)
                              : [configuration.nodeID.rawValue],
                          partitionCount: placement.partitionCount, partitions: partitions,
                          databaseBytes: database.approximateSizeBytes, address: configuration.apiAddress)
    }
}

extension CommunityNode {
    /// How long `clusterReport()` waits for each member.
    public static let statusTimeout: Duration = .seconds(2)

    /// Every member's status (asked over the peer links in parallel) and the partitions that
    /// have no leader anywhere.
    public func clusterReport() async throws -> ClusterReport {
        let own = try await status()
        var nodes = [MemberStatus(id: own.node, state: "up", status: own)]
        var table = MemberTable()
        var expected = configuration.replicaCount
        if let replicas {
            table = await replicas.memberTable
            if !table.isEmpty { expected = min(configuration.replicationFactor, max(1, table.active.count)) }
            let others = await replicas.knownMembers().filter { $0 != configuration.nodeID }
            let gathered = await withTaskGroup(of: MemberStatus.self) { group in
                for member in others {
                    group.addTask {
                        let status = try? await replicas.askStatus(of: member, timeout: Self.statusTimeout)
                        return MemberStatus(id: member.rawValue, state: status == nil ? "down" : "up", status: status,
                                            lastHeardMilliseconds: self.millisecondsSinceHeard(from: member))
                    }
                }
                var all: [MemberStatus] = []
                for await member in group { all.append(member) }
                return all
            }
            nodes += gathered
        }
        nodes.sort { $0.id < $1.id }
        for index in nodes.indices where nodes[index].state == "up" {
            // A member being emptied is leaving; one still catching up a replica as a learner is joining.
            let id = nodes[index].id
            if table.members[NodeID(id)]?.state == .draining {
                nodes[index].state = "leaving"
            } else if let status = nodes[index].status,
                      status.partitions.contains(where: { $0.partition < placement.partitionCount && $0.learners.contains(id) }) {
                nodes[index].state = "joining"
            }
        }
        var led = Set<UInt32>()
        var replicaCount: [UInt32: Int] = [:]
        for node in nodes {
            for partition in node.status?.partitions ?? [] where partition.partition < placement.partitionCount {
                if partition.role == "leader" { led.insert(partition.partition) }
                replicaCount[partition.partition, default: 0] += 1
            }
        }
        let all = Array(0..<placement.partitionCount)
        return ClusterReport(nodes: nodes, partitionCount: placement.partitionCount,
                             partitionsWithoutLeader: all.filter { !led.contains($0) },
                             partitionsUnderReplicated: configuration.isClustered
                                 ? all.filter { (replicaCount[$0] ?? 0) < expected } : [])
    }
}

extension CommunityNode {
    /// Locates `workspace` from this node's view (its own groups, or the cluster report).
    public func locate(_ workspace: WorkspaceID) async throws -> WorkspaceLocation {
        let partition = placement.partition(of: workspace)
        let report = try await clusterReport()
        let views = report.nodes.compactMap { $0.status?.partitions.first { $0.partition == partition.rawValue } }
        let leader = report.nodes.first { node in
            node.status?.partitions.contains { $0.partition == partition.rawValue && $0.role == "leader" } == true
        }?.id ?? 0
        return WorkspaceLocation(workspace: workspace.rawValue, partition: partition.rawValue, leader: leader,
                                 replicas: views.first?.replicas ?? [])
    }
}

extension CommunityNode {
    /// Moves `partition`'s leadership to `target` (cluster mode only); see `ReplicaDriver.transferLeadership`.
    public func transferLeadership(of partition: PartitionID, to target: NodeID) async throws -> NodeID {
        guard let replicas else {
            throw NodeError(.invalidTarget, "A single node leads every partition itself; there is nothing to transfer.")
        }
        guard partition.rawValue < placement.partitionCount else {
            throw NodeError(.invalidTarget, "There is no \(partition); partitions are 0 to \(placement.partitionCount - 1).")
        }
        return try await replicas.transferLeadership(of: partition, to: target)
    }
}


extension CommunityNode {
    /// The member table (empty on a single node, and on a joining node until it caught up).
    public func memberTable() async throws -> MemberTable {
        guard let replicas else { throw NodeError(.invalidTarget, "A single node has no member table.") }
        return await replicas.memberTable
    }

    /// Changes the member table through the metadata group (any node forwards to its leader).
    public func changeMembers(_ command: MemberCommand) async throws -> MemberTable {
        guard let replicas else { throw NodeError(.invalidTarget, "A single node has no members to change.") }
        return try await replicas.changeMembers(command)
    }

    /// Refuses (`MemberTableError`) to remove a member that is not drained yet: still active,
    /// or up and holding replicas of data partitions. A member that is down cannot report, so
    /// its removal is allowed once it is draining (its replicas are re-created elsewhere).
    public func checkRemovable(_ member: NodeID) async throws {
        let table = try await memberTable()
        guard let record = table.members[member] else { return }  // the change itself says "not a member"
        guard record.state == .draining else {
            throw MemberTableError("node \(member) is active: drain it first (quadctl node drain \(member))")
        }
        let report = try await clusterReport()
        if let status = report.nodes.first(where: { $0.id == member.rawValue })?.status, !status.partitions.isEmpty {
            throw MemberTableError("node \(member) still holds \(status.partitions.count) replicas; wait until they moved")
        }
    }
}
