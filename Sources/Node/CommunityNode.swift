public import Community
public import Logging
public import QuadCore
public import ServiceLifecycle
public import Storage
import Metrics
public import Raft
import NIOPosix
import Synchronization

/// One Quad node holding every partition as a one-voter group: each write is a Command
/// appended to its partition's log, fsynced together with every other write that arrived
/// meanwhile (group commit), then applied by the pure `CommunityStateMachine`.
///
/// The shape is the cluster's: the log, the applied index and the rows live in RocksDB
/// exactly as replicated groups will keep them, so the Raft core slots in under `submit`.
public final class CommunityNode: Service, Sendable {
    public let configuration: NodeConfiguration
    public let placement: Placement
    public let database: Database
    /// Real-time fan-out of applied events.
    public let events: EventHub

    let logStore: RaftLogStore
    let logger: Logger
    let queue = ProposalQueue(capacity: NodeConfiguration.pendingProposalsMax)
    let stateMachine = CommunityStateMachine()
    /// Per-partition last log index; touched only by the commit loop (and recovery before it).
    let positions: Mutex<[PartitionID: LogIndex]>
    let counters = Mutex(NodeStatistics())
    let metrics: NodeMetrics
    /// One thread for blocking RocksDB writes, so fsyncs never block Swift's cooperative pool.
    let ioThreads = NIOThreadPool(numberOfThreads: 1)
    /// The replicated engine, when the node runs in a cluster (nil: one-voter groups).
    public let replicas: ReplicaDriver?
    /// The event loop the replica driver is pinned to.
    let replicaLoop: MultiThreadedEventLoopGroup?

    /// The term of every entry of a one-voter group. A replicated group stamps real terms.
    static let singleVoterTerm = Term(1)
    static let partitionCountKey = Array("partition_count".utf8)
    static let metadataGroupKey = Array("metadata_group".utf8)

    /// Opens the data directory, replays every logged command not yet applied, and returns a
    /// node ready to serve. Throws when storage cannot be opened or a logged entry cannot be read.
    public static func open(_ configuration: NodeConfiguration, logger: Logger,
                            messenger: (any PeerMessenger)? = nil) throws -> CommunityNode {
        let database = try Database(path: configuration.dataDirectory, options: configuration.databaseOptions)
        try checkIdentity(database, configuration)
        let partitionCount = try storedPartitionCount(database, proposed: configuration.partitionCount)
        let placement = Placement(partitionCount: partitionCount)
        guard configuration.isClustered else {
            let node = CommunityNode(configuration: configuration, database: database, placement: placement,
                                     logger: logger, replicas: nil, replicaLoop: nil)
            try node.recover()
            node.ioThreads.start()
            return node
        }
        guard let messenger, configuration.members.contains(configuration.nodeID) || !configuration.joinPeers.isEmpty else {
            throw NodeError(.unavailable, "a clustered node needs peers and must be one of the members")
        }
        let host = ReplicaHost(nodeID: configuration.nodeID, database: database, retention: configuration.logRetention)
        host.acceptedGroupsBelow = partitionCount
        let founders = configuration.members.map {
            MemberRecord(id: $0, peerAddress: configuration.memberAddresses[$0] ?? "")
        }
        try openGroups(host, founders: founders, partitionCount: partitionCount, configuration: configuration)
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let events = EventHub()
        let driver = ReplicaDriver(host: host, placement: placement, founders: founders,
                                   joinPeers: configuration.joinPeers, messenger: messenger, events: events,
                                   eventLoop: loop.next(), replicationFactor: configuration.replicationFactor,
                                   apiAddress: configuration.apiAddress,
                                   metricsFactory: configuration.metricsFactory ?? MetricsSystem.factory)
        return CommunityNode(configuration: configuration, database: database, placement: placement, logger: logger,
                             replicas: driver, replicaLoop: loop, events: events)
    }

    /// Opens the groups this node holds: those in its storage; on a founding member's first start,
    /// the ones placement gives it among the founders, and the metadata group. A joining node
    /// starts with none: leaders open its groups by sending to it.
    private static func openGroups(_ host: ReplicaHost, founders: [MemberRecord], partitionCount: UInt32,
                                   configuration: NodeConfiguration) throws {
        let stored = try RaftLogStore(database: host.database).storedGroups()
        let node = configuration.nodeID
        for group in stored { try host.openGroup(group, members: [], randomSeed: ReplicaHost.randomSeed(node, group)) }
        guard !founders.isEmpty, configuration.joinPeers.isEmpty else { return }
        if stored.isEmpty {
            for raw in 0..<partitionCount {
                let partition = PartitionID(raw)
                let replicas = Placement.replicas(of: partition, members: configuration.members,
                                                  count: configuration.replicaCount)
                guard replicas.contains(node) else { continue }
                try host.openGroup(partition, members: replicas, randomSeed: ReplicaHost.randomSeed(node, partition))
            }
        }
        // The metadata group is new in this version: founders of an older cluster open it too.
        let metadataVoters = MemberTable(members: founders).metadataReplicas().voters
        let marked = try host.database.get(.meta, metadataGroupKey) != nil
        if !stored.contains(.metadata), !marked, metadataVoters.contains(node) {
            try host.openGroup(.metadata, members: metadataVoters, randomSeed: ReplicaHost.randomSeed(node, .metadata))
        }
        if !marked {
            // Once opened (or found), never bootstrapped again: a member the cluster later took out
            // of the metadata group must not found a second one when it restarts.
            let batch = host.database.makeWriteBatch()
            batch.put(.meta, metadataGroupKey, [1])
            try host.database.write(batch, sync: true)
        }
    }

    private init(configuration: NodeConfiguration, database: Database, placement: Placement, logger: Logger,
                 replicas: ReplicaDriver?, replicaLoop: MultiThreadedEventLoopGroup?, events: EventHub = EventHub()) {
        self.configuration = configuration
        self.database = database
        self.placement = placement
        self.logStore = RaftLogStore(database: database)
        self.logger = logger
        self.positions = Mutex([:])
        self.replicas = replicas
        self.replicaLoop = replicaLoop
        self.events = events
        self.metrics = NodeMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory)
        if replicas == nil { metrics.partitionsLed.record(placement.partitionCount) }
    }

    static let clusterIDKey = Array("cluster_id".utf8)
    static let nodeIDKey = Array("node_id".utf8)

    /// A data directory remembers the cluster and node it was created for, and refuses any other:
    /// a copied or mixed-up directory would otherwise join with another node's log and votes.
    private static func checkIdentity(_ database: Database, _ configuration: NodeConfiguration) throws {
        let storedCluster = try database.get(.meta, clusterIDKey).map { String(decoding: $0, as: UTF8.self) }
        let storedNode = try database.get(.meta, nodeIDKey).map { bytes -> UInt64 in
            var reader = BinaryReader(bytes)
            return (try? reader.readUInt64()) ?? 0
        }
        if let storedCluster, storedCluster != configuration.clusterID {
            throw NodeError(.misconfigured, """
                \(configuration.dataDirectory) belongs to cluster "\(storedCluster)", not "\(configuration.clusterID)"; \
                start with --cluster-id \(storedCluster) or use an empty data directory
                """)
        }
        if let storedNode, storedNode != configuration.nodeID.rawValue {
            throw NodeError(.misconfigured, """
                \(configuration.dataDirectory) belongs to node \(storedNode), not \(configuration.nodeID.rawValue); \
                start with --node-id \(storedNode) or use an empty data directory
                """)
        }
        guard storedCluster == nil || storedNode == nil else { return }
        var writer = BinaryWriter()
        writer.write(configuration.nodeID.rawValue)
        let batch = database.makeWriteBatch()
        batch.put(.meta, clusterIDKey, Array(configuration.clusterID.utf8))
        batch.put(.meta, nodeIDKey, writer.bytes)
        try database.write(batch, sync: true)
    }

    /// The partition count is chosen once, when the data directory is new.
    private static func storedPartitionCount(_ database: Database, proposed: UInt32) throws -> UInt32 {
        if let stored = try database.get(.meta, partitionCountKey) {
            var reader = BinaryReader(stored)
            let count = try reader.readUInt32()
            guard count >= 1, count <= Placement.partitionCountMax else {
                throw StorageError(code: "corrupt_meta", message: "stored partition count \(count) is out of range")
            }
            return count
        }
        var writer = BinaryWriter()
        writer.write(proposed)
        let batch = database.makeWriteBatch()
        batch.put(.meta, partitionCountKey, writer.bytes)
        try database.write(batch, sync: true)
        return proposed
    }

    // MARK: Writes

    /// Logs `body` durably, applies it, and returns its outcome (or why it was refused).
    /// Throws `NodeError` when the node cannot take the write now.
    public func submit(_ body: CommandBody, actor: Actor, timestampMilliseconds: Int64) async throws
        -> Result<Outcome, CommunityError> {
        let command = Command(actor: actor, timestampMilliseconds: timestampMilliseconds, body: body)
        if let replicas { return try await replicas.submit(command) }
        let partition = placement.partition(ofKey: body.placementKey)
        return try await withCheckedThrowingContinuation { continuation in
            do {
                try queue.enqueue(Proposal(command: command, partition: partition, continuation: continuation))
                metrics.proposals.increment()
            } catch {
                metrics.rejectedProposals.increment()
                continuation.resume(throwing: error)
            }
        }
    }

    // MARK: Reads

    /// Queries over the partition holding `workspace`. Reads see every write acknowledged
    /// before they start: acknowledgement waits for apply, and apply writes before answering.
    public func queries(for workspace: WorkspaceID, actor: Actor) -> CommunityQueries<PartitionRowReader> {
        queries(forKey: workspace.rawValue, actor: actor)
    }

    /// Waits until reads of `key`'s partition on this node are linearizable: immediate on a
    /// single node (acknowledgement waits for apply), ReadIndex in a cluster. Throws 503-class
    /// `NodeError` when the partition has no leader.
    public func readBarrier(forKey key: String) async throws {
        guard let replicas else { return }
        try await replicas.linearizableBarrier(for: placement.partition(ofKey: key))
    }

    /// Where a node holding `key`'s partition serves the API, when this node holds no replica of
    /// it (a cluster of more nodes than replicas); nil when requests about `key` are served here.
    public func holderAPIAddress(forKey key: String) async -> String? {
        await holderAPIAddress(of: placement.partition(ofKey: key))
    }

    /// Where a node holding `partition` serves the API, when this node holds no replica of it.
    public func holderAPIAddress(of partition: PartitionID) async -> String? {
        await holderAPIAddresses(of: partition).first
    }

    /// Where the nodes holding `partition` serve the API, live ones first, when this node holds no
    /// replica of it (empty when it does, or runs alone).
    public func holderAPIAddresses(of partition: PartitionID) async -> [String] {
        guard let replicas else { return [] }
        return await replicas.holderAPIAddresses(of: partition)
    }

    /// Queries over the partition holding any stably named object.
    public func queries(forKey key: String, actor: Actor) -> CommunityQueries<PartitionRowReader> {
        CommunityQueries(reader: PartitionRowReader(database: database, partition: placement.partition(ofKey: key)),
                         actor: actor)
    }

    /// The caller's workspaces from every partition, by name. In a cluster of more nodes than
    /// replicas, the partitions this node does not hold are asked of nodes that do.
    public func myWorkspaces(actor: Actor) async throws -> [MembershipView] {
        var local = (0..<placement.partitionCount).map { PartitionID($0) }
        var all: [MembershipView] = []
        if let replicas {
            let (held, elsewhere) = await replicas.splitByHolder(local)
            local = held
            for (holder, partitions) in elsewhere.sorted(by: { $0.key < $1.key }) {
                all += try await replicas.askMemberships(of: actor.userID, in: partitions, holder: holder)
            }
        }
        all += try memberships(of: actor, in: local)
        return Array(all.sorted { ($0.workspace.name, $0.workspace.id) < ($1.workspace.name, $1.workspace.id) }
            .prefix(Limits.workspacesPerUserMax))
    }

    /// `actor`'s memberships in `partitions`, read from this node's rows.
    func memberships(of actor: Actor, in partitions: [PartitionID]) throws -> [MembershipView] {
        var all: [MembershipView] = []
        for partition in partitions {
            let reader = PartitionRowReader(database: database, partition: partition)
            all += try CommunityQueries(reader: reader, actor: actor).myWorkspaces()
            if all.count >= Limits.workspacesPerUserMax { break }
        }
        return all
    }

    /// Counters since the node opened (fsyncs per write is `fsyncs / commandsApplied`).
    public var statistics: NodeStatistics { counters.withLock { $0 } }

    // MARK: Service

    /// Runs the commit loop until graceful shutdown; then finishes queued writes and stops.
    public func run() async throws {
        logger.info("node started", metadata: ["node": "\(configuration.nodeID)",
                                               "partitions": "\(placement.partitionCount)"])
        if let replicas, let replicaLoop {
            await withGracefulShutdownHandler {
                await replicas.run()
            } onGracefulShutdown: {
                Task { await replicas.stop() }
            }
            events.finishAll()
            try await replicaLoop.shutdownGracefully()
            logger.info("node stopped", metadata: ["node": "\(configuration.nodeID)"])
            return
        }
        try await withGracefulShutdownHandler {
            try await commitLoop()
        } onGracefulShutdown: {
            self.queue.close()
        }
        events.finishAll()
        try await ioThreads.shutdownGracefully()
        logger.info("node stopped", metadata: ["node": "\(configuration.nodeID)"])
    }

    /// Stops accepting writes (for tests and embedding without a ServiceGroup).
    public func stop() {
        queue.close()
        if let replicas { Task { await replicas.stop() } }
    }

    /// Raft messages from a peer (cluster mode), sent by `sender` when the transport knows it.
    public func receive(_ messages: [(PartitionID, Raft.Message)], from sender: NodeID? = nil) async {
        if let sender { replicas?.noteHeard(from: sender) }
        guard !messages.isEmpty else { return }  // a ping: liveness only
        await replicas?.receive(messages)
    }

    /// Milliseconds since peer traffic last arrived from `member`, or nil if it never did.
    func millisecondsSinceHeard(from member: NodeID) -> UInt64? { replicas?.millisecondsSinceHeard(from: member) }

    /// A snapshot streamed by `group`'s leader (cluster mode): stages every chunk `nextChunk`
    /// yields, then hands the message to the group, which installs the rows in place of its own.
    /// One stream per group at a time; throws (refusing the stream) on a second one, a
    /// malformed chunk or a group this node does not hold.
    public func receiveSnapshot(_ message: Raft.Message, group: PartitionID,
                                nextChunk: () async throws -> [UInt8]?) async throws {
        guard let replicas else { throw NodeError(.unavailable, "A single node takes no snapshots.") }
        try await replicas.receiveSnapshot(message, group: group, nextChunk: nextChunk)
    }

    /// A write forwarded by a peer that does not lead its partition (cluster mode).
    public func handleForward(_ request: [UInt8]) async -> [UInt8] {
        guard let replicas else { return ForwardAnswer.failure(.unavailable) }
        return await replicas.handleForward(request)
    }

    private func commitLoop() async throws {
        while let batch = await queue.next(maximum: NodeConfiguration.batchCommandsMax) {
            let outcome: BatchOutcome
            do {
                outcome = try await ioThreads.runIfActive { try self.persistAndApply(batch) }
            } catch {
                logger.critical("storage failed; refusing further writes", metadata: ["error": "\(error)"])
                queue.close()
                let failure = NodeError(.storage, "The node could not write to its storage.")
                for proposal in batch { proposal.continuation.resume(throwing: failure) }
                while let rest = await queue.next(maximum: NodeConfiguration.batchCommandsMax) {
                    for proposal in rest { proposal.continuation.resume(throwing: failure) }
                }
                throw error
            }
            for (proposal, result) in zip(batch, outcome.results) { proposal.continuation.resume(returning: result) }
            events.publish(outcome.events)
        }
    }
}

/// Counts a node keeps for tests, benchmarks and `/metrics`.
public struct NodeStatistics: Sendable, Equatable {
    /// Synced log writes (one per batch).
    public var fsyncs: UInt64 = 0
    /// Commands applied (refused ones included: they are logged too).
    public var commandsApplied: UInt64 = 0
    /// Largest batch so far.
    public var largestBatch: Int = 0
}
