/// One partition across the cluster, merged from the views of the nodes that answered.
public struct PartitionSummary: Sendable, Codable, Equatable {
    public var partition: UInt32
    /// The node that reports itself leader in the highest term; 0 when none does.
    public var leader: UInt64
    public var term: UInt64
    /// The leader's commit index (the highest reported when there is no leader).
    public var commit: UInt64
    /// The leader's applied index.
    public var applied: UInt64
    public var replicas: [UInt64]
    public var learners: [UInt64]
    /// How far the furthest-behind answering replica's applied index trails `commit`.
    public var maxLag: UInt64
    /// Workspaces in the partition, as its leader (or the most advanced replica) counted them.
    public var workspaces: Int?

    public init(partition: UInt32, leader: UInt64, term: UInt64, commit: UInt64, applied: UInt64,
                replicas: [UInt64], learners: [UInt64], maxLag: UInt64, workspaces: Int? = nil) {
        self.partition = partition
        self.leader = leader
        self.term = term
        self.commit = commit
        self.applied = applied
        self.replicas = replicas
        self.learners = learners
        self.maxLag = maxLag
        self.workspaces = workspaces
    }
}

/// How a cluster report reads to a script: `quadctl status` exits with `exitCode`.
public enum ClusterHealth: String, Sendable, Codable, Equatable {
    /// Every member up, every partition led and fully replicated, no replica lagging.
    case healthy
    /// Every partition has a leader, but a member is down, a partition is under-replicated or a
    /// replica lags: writes work, with less margin.
    case degraded
    /// Some partition has no leader: its workspaces cannot take writes.
    case unavailable

    /// 0 healthy, 3 degraded, 4 unavailable (1 is left for "could not ask", 64 for usage errors).
    public var exitCode: Int32 {
        switch self {
        case .healthy: 0
        case .degraded: 3
        case .unavailable: 4
        }
    }
}

extension ClusterReport {
    /// A replica this many applied entries behind its leader's commit counts as lagging. Reports
    /// are gathered from each node at slightly different moments, so a busy partition always
    /// shows some lag; a few hundred milliseconds of writes stays under this.
    public static let laggingEntriesMin: UInt64 = 1_000

    /// Every partition, merged across the answering nodes, in partition order.
    public func partitionSummaries() -> [PartitionSummary] {
        var views: [UInt32: [PartitionStatus]] = [:]
        for member in nodes {
            for view in member.status?.partitions ?? [] { views[view.partition, default: []].append(view) }
        }
        return (0..<partitionCount).map { partition in
            let seen = views[partition] ?? []
            let leading = seen.filter { $0.role == "leader" }.max { $0.term < $1.term }
            let commit = leading?.commit ?? seen.map(\.commit).max() ?? 0
            let lag = seen.map { commit > $0.applied ? commit - $0.applied : 0 }.max() ?? 0
            let reference = leading ?? seen.max { $0.term < $1.term }
            return PartitionSummary(partition: partition, leader: leading?.leader ?? 0,
                                    term: reference?.term ?? 0, commit: commit, applied: leading?.applied ?? 0,
                                    replicas: reference?.replicas ?? [], learners: reference?.learners ?? [],
                                    maxLag: lag, workspaces: reference?.workspaces)
        }
    }

    /// For every node, how many of its replicas trail their leader's commit by `laggingEntriesMin`
    /// or more (the partitions are merged once for all nodes).
    public func laggingReplicas() -> [UInt64: Int] {
        let commits = Dictionary(uniqueKeysWithValues: partitionSummaries().map { ($0.partition, $0.commit) })
        var lagging: [UInt64: Int] = [:]
        for member in nodes {
            lagging[member.id] = (member.status?.partitions ?? []).filter { view in
                let commit = commits[view.partition] ?? 0
                return commit > view.applied && commit - view.applied >= Self.laggingEntriesMin
            }.count
        }
        return lagging
    }

    /// Healthy, degraded or unavailable (see `ClusterHealth`).
    public var health: ClusterHealth {
        if !partitionsWithoutLeader.isEmpty { return .unavailable }
        let anyDown = nodes.contains { $0.state == "down" }  // joining and leaving members serve
        let anyLagging = laggingReplicas().values.contains { $0 > 0 }
        return anyDown || !partitionsUnderReplicated.isEmpty || anyLagging ? .degraded : .healthy
    }
}
