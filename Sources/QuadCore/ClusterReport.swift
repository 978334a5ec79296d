/// What nodes report to operators: the JSON of `/v1/admin/status`, `/v1/admin/cluster` and
/// `/v1/admin/locate/{workspace}`, which `quadctl` prints. Field names are stable (snake_case
/// on the wire); new fields may be added, none renamed or removed.

/// One partition as one node sees it.
public struct PartitionStatus: Sendable, Codable, Equatable {
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
    /// Workspaces stored in this replica (counting stops at `workspaceCountMax`).
    public var workspaces: Int?

    /// Counting a partition's workspaces stops here and the count means "at least this many",
    /// so a status request scans a bounded number of rows per partition.
    public static let workspaceCountMax = 100_000

    public init(partition: UInt32, leader: UInt64, term: UInt64, commit: UInt64, applied: UInt64, role: String,
                replicas: [UInt64], learners: [UInt64], workspaces: Int? = nil) {
        self.partition = partition
        self.leader = leader
        self.term = term
        self.commit = commit
        self.applied = applied
        self.role = role
        self.replicas = replicas
        self.learners = learners
        self.workspaces = workspaces
    }
}

/// What a node reports about itself and the partitions it holds.
public struct NodeStatus: Sendable, Codable, Equatable {
    public var node: UInt64
    public var version: String
    public var clustered: Bool
    public var members: [UInt64]
    public var partitionCount: UInt32
    public var partitions: [PartitionStatus]
    public var databaseBytes: UInt64
    /// This node's replica of the metadata group (members and P), when it holds one.
    public var metadata: PartitionStatus?
    /// Where the node serves the API (`http://host:port`), when it knows.
    public var address: String?

    public init(node: UInt64, version: String, clustered: Bool, members: [UInt64], partitionCount: UInt32,
                partitions: [PartitionStatus], databaseBytes: UInt64, address: String? = nil,
                metadata: PartitionStatus? = nil) {
        self.metadata = metadata
        self.node = node
        self.version = version
        self.clustered = clustered
        self.members = members
        self.partitionCount = partitionCount
        self.partitions = partitions
        self.databaseBytes = databaseBytes
        self.address = address
    }

    /// Partitions this node leads.
    public var leaders: Int { partitions.filter { $0.role == "leader" }.count }
}

/// One member's status as gathered by the node an operator asked.
public struct MemberStatus: Sendable, Codable, Equatable {
    public var id: UInt64
    /// up, or down when it did not answer in time.
    public var state: String
    public var status: NodeStatus?
    /// Milliseconds since the asked node last received peer traffic (Raft messages, heartbeats
    /// among them) from this member; nil for the asked node itself and for a member never heard.
    public var lastHeardMilliseconds: UInt64?

    public init(id: UInt64, state: String, status: NodeStatus?, lastHeardMilliseconds: UInt64? = nil) {
        self.id = id
        self.state = state
        self.status = status
        self.lastHeardMilliseconds = lastHeardMilliseconds
    }
}

/// The cluster as seen from one node: every member's status and partitions without a leader.
public struct ClusterReport: Sendable, Codable, Equatable {
    public var nodes: [MemberStatus]
    public var partitionCount: UInt32
    public var partitionsWithoutLeader: [UInt32]
    public var partitionsUnderReplicated: [UInt32]

    public init(nodes: [MemberStatus], partitionCount: UInt32, partitionsWithoutLeader: [UInt32],
                partitionsUnderReplicated: [UInt32]) {
        self.nodes = nodes
        self.partitionCount = partitionCount
        self.partitionsWithoutLeader = partitionsWithoutLeader
        self.partitionsUnderReplicated = partitionsUnderReplicated
    }
}

/// Where a workspace lives: its partition, that partition's leader (0 when none) and replicas.
public struct WorkspaceLocation: Sendable, Codable, Equatable {
    public var workspace: String
    public var partition: UInt32
    public var leader: UInt64
    public var replicas: [UInt64]

    public init(workspace: String, partition: UInt32, leader: UInt64, replicas: [UInt64]) {
        self.workspace = workspace
        self.partition = partition
        self.leader = leader
        self.replicas = replicas
    }
}
