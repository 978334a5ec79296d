public import CoreMetrics
public import QuadCore
public import Storage

/// How one node runs.
public struct NodeConfiguration: Sendable {
    /// Where the node's RocksDB lives.
    public var dataDirectory: String
    /// This node's identity in the cluster.
    public var nodeID: NodeID
    /// The fixed partition count P (only read when the data directory is new).
    public var partitionCount: UInt32
    /// Every member of the cluster, this node included; empty runs a single node whose
    /// partitions are one-voter groups.
    public var members: [NodeID] = []
    /// Where each founding member's peers reach it (`host:port`), for the member table's seed.
    public var memberAddresses: [NodeID: String] = [:]
    /// Members to ask for the cluster's member table when this node joins a running cluster
    /// (`--join`); empty for a founding member.
    public var joinPeers: [NodeID] = []
    /// Replicas per partition (fewer when the cluster is smaller).
    public var replicationFactor = Placement.replicationFactorDefault
    /// The cluster this node belongs to. Written into the data directory on first start; a node
    /// refuses a data directory of another cluster or node, and peers refuse its messages.
    public var clusterID = ClusterID.standard
    /// Where this node serves the API (`http://host:port`), reported to operators.
    public var apiAddress: String?
    /// When replicated groups compact their logs (followers further behind get a snapshot).
    public var logRetention = LogRetention.standard
    /// How the node's RocksDB is opened (the fault suite's power-loss switches live here).
    public var databaseOptions = DatabaseOptions()
    /// Where the node's metrics go (nil: swift-metrics' bootstrapped `MetricsSystem.factory`).
    public var metricsFactory: (any MetricsFactory)?

    /// Replicas each partition actually has: the replication factor, or every member when there are fewer.
    public var replicaCount: Int { min(replicationFactor, max(1, members.count)) }

    /// Whether this node runs replicated groups with peers.
    public var isClustered: Bool { members.count > 1 || !joinPeers.isEmpty }

    /// Commands written with one fsync: 1,024 entries of at most ~20 KiB bound a batch
    /// to ~20 MiB in the worst case and to a few hundred KiB for ordinary chat.
    public static let batchCommandsMax = 1024
    /// Proposals waiting for the log: past this the node answers 503 rather than queue
    /// without bound (about a second of work at the measured commit rate).
    public static let pendingProposalsMax = 10_000
    /// Log entries replayed per read while recovering.
    public static let recoveryBatchBytesMax = 4 << 20

    public init(dataDirectory: String, nodeID: NodeID = NodeID(1),
                partitionCount: UInt32 = Placement.partitionCountDefault) {
        self.dataDirectory = dataDirectory
        self.nodeID = nodeID
        self.partitionCount = partitionCount
    }
}

/// Why the node could not take or finish a request: operating errors, never the caller's fault.
public struct NodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Too many proposals waiting; retry shortly (HTTP 503 with Retry-After).
        case overloaded
        /// The node is stopping or stopped.
        case unavailable
        /// Storage failed; the node stops serving writes.
        case storage
        /// This node does not lead the partition; forward to the leader.
        case notLeader = "not_leader"
        /// The data directory belongs to another cluster or node; the node does not start.
        case misconfigured
        /// A leadership transfer named a node that is not a voter of the partition.
        case invalidTarget = "invalid_target"
        /// This node holds no replica of the partition a read needs (`partition`); ask a node that does.
        case notHeld = "not_held"
    }

    public let code: Code
    public let message: String
    /// The partition the error is about, when one is (`notHeld`).
    public let partition: PartitionID?

    public init(_ code: Code, _ message: String, partition: PartitionID? = nil) {
        self.code = code
        self.message = message
        self.partition = partition
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
