public import Community
public import QuadCore
public import Raft
public import Storage

/// A command in a replicated log entry, tagged with who proposed it so that the proposing
/// node can answer its waiting client when the entry is applied (on any node it is applied
/// the same way; only the proposer has someone waiting).
public struct ProposalEnvelope: Sendable, Equatable {
    public var proposer: NodeID
    public var proposalID: UInt64
    public var command: Command

    static let formatVersion: UInt8 = 1

    public init(proposer: NodeID, proposalID: UInt64, command: Command) {
        self.proposer = proposer
        self.proposalID = proposalID
        self.command = command
    }

    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 160)
        writer.write(Self.formatVersion)
        writer.write(proposer.rawValue)
        writer.write(proposalID)
        writer.writeRaw(command.encoded())
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var reader = BinaryReader(bytes)
        let version = try reader.readUInt8()
        guard version == Self.formatVersion else { throw DecodingError("unknown envelope version \(version)") }
        proposer = NodeID(try reader.readUInt64())
        proposalID = try reader.readUInt64()
        command = try Command(decoding: Array(bytes[reader.offset...]))
    }
}

/// What one round of `ReplicaHost.process()` produced.
public struct HostOutput: Sendable {
    /// Raft messages to send, with the group they belong to.
    public var messages: [(PartitionID, Raft.Message)] = []
    /// Outcomes of this node's own proposals, by proposal ID.
    public var outcomes: [(UInt64, Result<Outcome, CommunityError>)] = []
    /// Events applied, for real-time subscribers.
    public var events: [Event] = []
    /// Answers to read requests: once a group applied up to `index`, reads with `context` may go.
    public var readStates: [(PartitionID, ReadState)] = []
    /// Whether the round wrote with fsync.
    public var synced = false
    /// Log entries the round wrote.
    public var entriesWritten = 0
    /// Commands the round applied.
    public var commandsApplied = 0
    /// Elections this node started in the round (groups that became candidates).
    public var electionsStarted = 0
    /// Groups whose known leader changed in the round.
    public var leaderChanges = 0
}

/// Every Raft group this node holds, driven together: one `process()` collects the Ready of
/// all groups, persists all of it in one RocksDB batch (synced if any group needs it), then
/// hands back the messages to send and applies committed entries to the community state.
///
/// Synchronous and single-owner: the node's loop (an actor or one thread) calls it; time
/// arrives as `tick()` and messages as `step(_:group:)`, so tests drive it deterministically.
public final class ReplicaHost {
    public let nodeID: NodeID
    public let database: Database
    let store: RaftLogStore
    private(set) var groups: [PartitionID: RaftNode<DurableRaftStorage>] = [:]
    private var storages: [PartitionID: DurableRaftStorage] = [:]
    /// Applied index per group as stored: entries at or below it are already in the rows
    /// (a restarted core hands committed entries out again from its own applied index).
    private var applied: [PartitionID: LogIndex] = [:]
    private var nextProposalID: UInt64 = 1
    /// The leader each group last reported, to count leader changes.
    private var knownLeaders: [PartitionID: NodeID] = [:]
    private let stateMachine = CommunityStateMachine()

    public init(nodeID: NodeID, database: Database) {
        self.nodeID = nodeID
        self.database = database
        self.store = RaftLogStore(database: database)
    }

    /// Opens (or bootstraps with `members`) the group for `partition`.
    public func openGroup(_ partition: PartitionID, members: [NodeID], randomSeed: UInt64) throws {
        let storage = try DurableRaftStorage(store: store, group: partition)
        if storage.isNew {
            let batch = database.makeWriteBatch()
            storage.bootstrap(ConfigurationState(voters: members), into: batch)
            try database.write(batch, sync: true)
        }
        var configuration = RaftConfiguration(id: nodeID, randomSeed: randomSeed)
        configuration.electionTimeoutTicks = 10
        configuration.heartbeatIntervalTicks = 1
        let node = try RaftNode(configuration: configuration, storage: storage)
        groups[partition] = node
        storages[partition] = storage
        applied[partition] = try store.appliedIndex(group: partition)
    }

    public func role(of partition: PartitionID) -> RaftRole? { groups[partition]?.role }
    public func leader(of partition: PartitionID) -> NodeID? { groups[partition]?.leader }
    public func commitIndex(of partition: PartitionID) -> LogIndex? { groups[partition]?.commitIndex }

    /// Advances every group's logical clock by one tick.
    public func tick() {
        for partition in groups.keys { groups[partition]?.tick() }
    }

    /// Feeds a message from a peer to its group (ignored for groups this node does not hold).
    public func step(_ message: Raft.Message, group partition: PartitionID) {
        groups[partition]?.step(message)
    }

    /// Proposes a command in `partition`; the outcome comes back from `process()` under the
    /// returned proposal ID once applied. Throws when the group is unknown or refuses it.
    public func propose(_ command: Command, in partition: PartitionID) throws -> UInt64 {
        guard groups[partition] != nil else {
            throw NodeError(.unavailable, "This node does not hold \(partition).")
        }
        let id = nextProposalID
        nextProposalID += 1
        do {
            try groups[partition]?.propose(ProposalEnvelope(proposer: nodeID, proposalID: id, command: command).encoded())
        } catch {
            throw Self.retryable(error, partition)
        }
        return id
    }

    /// The core's refusal of a proposal or read as the node error a client retries (503): it
    /// drops them while leadership is being transferred (the leader balancer does so every few
    /// seconds), with no leader, or over its uncommitted-bytes bound.
    static func retryable(_ error: RaftError, _ partition: PartitionID) -> NodeError {
        NodeError(.unavailable, "\(partition) cannot take this right now (\(error.code.rawValue)); retry shortly.")
    }

    /// Asks `partition`'s group for a linearizable read point (ReadIndex, forwarded to the leader
    /// by followers); the answer comes back in `HostOutput.readStates` with `context`.
    public func requestRead(in partition: PartitionID, context: [UInt8]) throws {
        guard groups[partition] != nil else { throw NodeError(.unavailable, "This node does not hold \(partition).") }
        do {
            try groups[partition]?.readIndex(context: context)
        } catch {
            throw Self.retryable(error, partition)
        }
    }

    /// The voters of `partition`'s group as this node knows them (empty when it holds no replica).
    public func voters(of partition: PartitionID) -> [NodeID] { groups[partition]?.membership.voters ?? [] }

    /// Asks `partition`'s group to hand leadership to `target`; does nothing unless this node leads it.
    public func transferLeadership(of partition: PartitionID, to target: NodeID) {
        groups[partition]?.transferLeadership(to: target)
    }

    /// The partitions this node holds a replica of, in order.
    public var partitions: [PartitionID] { groups.keys.sorted() }

    /// The index up to which `partition`'s rows are applied on this node.
    public func appliedIndex(of partition: PartitionID) -> LogIndex { applied[partition] ?? .zero }

    /// Persist, then (after the caller sends) apply: everything every group has ready.
    public func process() throws -> HostOutput {
        var output = HostOutput()
        var readies: [(PartitionID, Ready)] = []
        let batch = database.makeWriteBatch()
        var mustSync = false
        for partition in groups.keys.sorted() {
            guard var node = groups[partition], node.hasReady, let storage = storages[partition] else { continue }
            let ready = node.ready()
            groups[partition] = node
            storage.persist(ready, into: batch)
            mustSync = mustSync || ready.mustSync
            output.entriesWritten += ready.entries.count
            if let soft = ready.softState {
                if soft.role == .candidate { output.electionsStarted += 1 }
                if soft.leader != knownLeaders[partition, default: .none] {
                    knownLeaders[partition] = soft.leader
                    output.leaderChanges += 1
                }
            }
            readies.append((partition, ready))
        }
        guard !readies.isEmpty else { return output }
        try database.write(batch, sync: mustSync)
        output.synced = mustSync
        let rows = database.makeWriteBatch()
        for (partition, ready) in readies {
            storages[partition]?.didPersist(ready)
            output.messages += ready.messages.map { (partition, $0) }
            output.readStates += ready.readStates.map { (partition, $0) }
            try apply(ready.committedEntries, partition: partition, into: rows, output: &output)
        }
        try database.write(rows, sync: false)
        for (partition, ready) in readies {
            guard var node = groups[partition] else { continue }
            let before = node.membership
            node.advance(ready)
            groups[partition] = node
            if node.membership != before {
                let batch = database.makeWriteBatch()
                storages[partition]?.recordMembership(node.membership, into: batch)
                try database.write(batch, sync: false)
            }
        }
        return output
    }

    private func apply(_ entries: [Entry], partition: PartitionID, into rows: WriteBatch,
                       output: inout HostOutput) throws {
        var changes = ChangeSet()
        var appliedNow: LogIndex?
        let alreadyApplied = applied[partition] ?? .zero
        for entry in entries where entry.index > alreadyApplied {
            appliedNow = entry.index
            guard entry.kind == .normal, !entry.payload.isEmpty else { continue }  // no-ops, conf changes
            let envelope = try ProposalEnvelope(decoding: entry.payload)
            let reader = OverlayReader(base: PartitionRowReader(database: database, partition: partition),
                                       changes: changes)
            let result = try stateMachine.apply(envelope.command, over: reader)
            output.commandsApplied += 1
            changes.merge(result.changes)
            output.events += result.events
            if envelope.proposer == nodeID { output.outcomes.append((envelope.proposalID, result.result)) }
        }
        for (key, value) in changes.writes {
            let stored = PartitionRowReader.storedKey(partition, key)
            if let value { rows.put(.data, stored, value) } else { rows.delete(.data, stored) }
        }
        if let appliedNow {
            store.setAppliedIndex(appliedNow, group: partition, into: rows)
            applied[partition] = appliedNow
        }
    }
}
