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
    /// Snapshots to stream to followers: each `.installSnapshot` message with its pinned rows
    /// (these messages are not in `messages`; the Deliver stream never carries rows).
    public var snapshots: [OutgoingSnapshot] = []
    /// Snapshots this node installed in the round.
    public var snapshotsInstalled = 0
    /// Outcomes of this node's member-table proposals, by proposal ID.
    public var memberOutcomes: [(UInt64, Result<MemberTable, MemberTableError>)] = []
    /// Whether the member table changed in the round.
    public var memberTableChanged = false
    /// Groups this node left in the round (its replica was removed; its rows deleted).
    public var groupsLeft: [PartitionID] = []
    /// Log entries removed by compaction in the round.
    public var entriesCompacted = 0
}

/// A snapshot on its way to a follower: the Raft message and the rows it stands for.
public struct OutgoingSnapshot: Sendable {
    public var partition: PartitionID
    public var message: Raft.Message
    public var rows: SnapshotRowCursor
}

/// When a group's log is compacted: once more than `compactAfterEntries` applied entries are
/// held, all but the newest `retainedEntries` go. Followers further behind get a snapshot.
public struct LogRetention: Sendable, Equatable {
    /// Applied entries a group holds before it compacts.
    public var compactAfterEntries: Int
    /// Applied entries kept after compacting, for followers that are a little behind.
    public var retainedEntries: Int

    /// 20,000 and 5,000: a few seconds of a busy partition's writes stay for lagging followers
    /// (etcd keeps 5,000 for the same reason), and the log stays small.
    public static let standard = LogRetention(compactAfterEntries: 20_000, retainedEntries: 5_000)

    public init(compactAfterEntries: Int, retainedEntries: Int) {
        precondition(compactAfterEntries > retainedEntries && retainedEntries >= 0, "retention must leave room to compact")
        self.compactAfterEntries = compactAfterEntries
        self.retainedEntries = retainedEntries
    }
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
    var groups: [PartitionID: RaftNode<DurableRaftStorage>] = [:]
    var storages: [PartitionID: DurableRaftStorage] = [:]
    /// Applied index per group as stored: entries at or below it are already in the rows
    /// (a restarted core hands committed entries out again from its own applied index).
    var applied: [PartitionID: LogIndex] = [:]
    private var nextProposalID: UInt64 = 1
    /// The leader each group last reported, to count leader changes.
    private var knownLeaders: [PartitionID: NodeID] = [:]
    private let stateMachine = CommunityStateMachine()
    let retention: LogRetention
    let staging: SnapshotStaging
    /// The cluster's members as the metadata group last applied them (empty until seeded).
    public internal(set) var memberTable = MemberTable()
    /// Groups whose removal of this node was applied in the round: deleted after it.
    var leaving: Set<PartitionID> = []
    /// Leader groups whose log is wholly committed and stored everywhere: the last index, and the
    /// tick from which their heartbeats carry it as the commit index (quiescence).
    var settled: [PartitionID: (last: LogIndex, tick: UInt64)] = [:]
    /// Groups a vote request woke, with the ticks they stay awake.
    var awake: [PartitionID: Int] = [:]
    /// Groups a leader's message may open here: data partitions below this, and the metadata group.
    public var acceptedGroupsBelow: UInt32 = Placement.partitionCountMax

    public init(nodeID: NodeID, database: Database, retention: LogRetention = .standard) {
        self.nodeID = nodeID
        self.database = database
        self.store = RaftLogStore(database: database)
        self.retention = retention
        self.staging = SnapshotStaging(database: database)
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
        // A heartbeat every 100 ms (etcd's default); reads do not wait for it (ReadIndex sends
        // one at once). Every 50 ms cost an idle node 14% more CPU (docs/performance.md).
        configuration.heartbeatIntervalTicks = 2
        let node = try RaftNode(configuration: configuration, storage: storage)
        groups[partition] = node
        storages[partition] = storage
        if try store.snapshotInstall(group: partition) != nil {
            // Stopped while moving a snapshot's rows in: the staged rows are whole, move them again.
            try finishInstall(partition)
        }
        applied[partition] = try store.appliedIndex(group: partition)
        if partition.isMetadata { try loadMemberTable() }
    }

    public func role(of partition: PartitionID) -> RaftRole? { groups[partition]?.role }
    public func leader(of partition: PartitionID) -> NodeID? { groups[partition]?.leader }
    public func commitIndex(of partition: PartitionID) -> LogIndex? { groups[partition]?.commitIndex }

    /// Advances every group's logical clock by one tick.
    public func tick() {
        for partition in groups.keys { groups[partition]?.tick() }
    }

    /// Feeds a message from a peer to its group. A leader's message for a group not held here
    /// opens it empty (this node was added to it: the log or a snapshot brings its members);
    /// anything else for an unknown group is ignored.
    public func step(_ message: Raft.Message, group partition: PartitionID) {
        if groups[partition] == nil {
            guard [.appendEntries, .installSnapshot, .heartbeat].contains(message.kind),
                  partition.isMetadata || partition.rawValue < acceptedGroupsBelow else { return }
            do {
                try openGroup(partition, members: [], randomSeed: Self.randomSeed(nodeID, partition))
            } catch {
                preconditionFailure("opening \(partition) failed: \(error)")
            }
        }
        wakeOnVoteRequest(message, group: partition)
        groups[partition]?.step(message)
        settleOnLeaderContact(message, group: partition)
    }

    /// The election-timer seed of `partition`'s group on `node`: distinct per node and group.
    public static func randomSeed(_ node: NodeID, _ partition: PartitionID) -> UInt64 {
        StableHash.mix64(node.rawValue &+ UInt64(partition.rawValue) << 32)
    }

    /// Proposes a command in `partition`; the outcome comes back from `process()` under the
    /// returned proposal ID once applied. Throws when the group is unknown or refuses it.
    public func propose(_ command: Command, in partition: PartitionID) throws -> UInt64 {
        guard groups[partition] != nil else {
            throw NodeError(.unavailable, "This node does not hold \(partition).")
        }
        let id = takeProposalID()
        do {
            try groups[partition]?.propose(ProposalEnvelope(proposer: nodeID, proposalID: id, command: command).encoded())
        } catch {
            throw Self.retryable(error, partition)
        }
        return id
    }

    /// A fresh proposal ID (community and member commands share the sequence).
    func takeProposalID() -> UInt64 {
        defer { nextProposalID += 1 }
        return nextProposalID
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
        try prepareWantedSnapshots()
        var readies: [(PartitionID, Ready)] = []
        let batch = database.makeWriteBatch()
        var mustSync = false
        for partition in groups.keys.sorted() {
            guard var node = groups[partition], node.hasReady, let storage = storages[partition] else { continue }
            let ready = node.ready()
            groups[partition] = node
            if let snapshot = ready.snapshot {
                // The rows are staged; from this batch on they are the group's, even after a crash.
                let mark = CompactionMark(index: snapshot.metadata.index, term: snapshot.metadata.term)
                store.setSnapshotInstall(mark, group: partition, into: batch)
                store.setAppliedIndex(mark.index, group: partition, into: batch)
            }
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
            if let snapshot = ready.snapshot {
                try finishInstall(partition)
                applied[partition] = snapshot.metadata.index
                output.snapshotsInstalled += 1
                if partition.isMetadata {
                    try loadMemberTable()
                    output.memberTableChanged = true
                }
            }
            for message in ready.messages {
                if message.kind == .installSnapshot, let index = message.snapshot?.metadata.index,
                   let rows = storages[partition]?.snapshotRows(at: index) {
                    output.snapshots.append(OutgoingSnapshot(partition: partition, message: message,
                                                             rows: SnapshotRowCursor(rows: rows, partition: partition)))
                } else if message.kind != .installSnapshot {
                    output.messages.append((partition, message))
                }
            }
            output.readStates += ready.readStates.map { (partition, $0) }
            try apply(ready.committedEntries, partition: partition, into: rows, output: &output)
        }
        try database.write(rows, sync: false)
        output.entriesCompacted = try compactLogs(readies.map(\.0))
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
        output.groupsLeft = try leaveRemovedGroups()
        return output
    }

    /// Moves a snapshot's staged rows into `data` and clears the install record (the rows and
    /// raft state were recorded, synced, with the record; see `SnapshotStaging.moveIn`).
    private func finishInstall(_ partition: PartitionID) throws {
        let finish = database.makeWriteBatch()
        try staging.moveIn(partition, finish: finish)
        store.setSnapshotInstall(nil, group: partition, into: finish)
        try database.write(finish, sync: false)
    }

    /// Prepares the snapshots the cores asked for since the last round: now rows, applied
    /// indexes and memberships all stand at the end of that round.
    private func prepareWantedSnapshots() throws {
        var rows: ReadSnapshot?  // one point in time serves every group that wants a snapshot now
        for (partition, storage) in storages where storage.wantsSnapshot {
            let pinned = rows ?? database.makeSnapshot()
            rows = pinned
            try storage.prepareSnapshot(appliedIndex: applied[partition] ?? .zero, rows: pinned)
        }
    }

    /// Compacts the logs of `partitions` that hold more applied entries than the retention
    /// allows; returns how many entries went. Not synced: if lost, it is simply done again.
    private func compactLogs(_ partitions: [PartitionID]) throws -> Int {
        var batch: WriteBatch?  // made only in the rare round that compacts
        var removed = 0
        for partition in partitions {
            guard let storage = storages[partition], let appliedIndex = applied[partition] else { continue }
            let held = Int(appliedIndex.rawValue - min(appliedIndex.rawValue, storage.compactedIndex.rawValue))
            guard held > retention.compactAfterEntries else { continue }
            let target = LogIndex(appliedIndex.rawValue - UInt64(retention.retainedEntries))
            removed += Int(target.rawValue - storage.compactedIndex.rawValue)
            let compaction = batch ?? database.makeWriteBatch()
            batch = compaction
            try storage.compact(upTo: target, into: compaction)
        }
        if let batch { try database.write(batch, sync: false) }
        return removed
    }

    /// Tells `partition`'s core whether the snapshot streamed to `member` arrived.
    public func reportSnapshot(in partition: PartitionID, to member: NodeID, succeeded: Bool) {
        groups[partition]?.reportSnapshot(to: member, succeeded: succeeded)
    }

    /// The first log index `partition` still holds (1 until its log is first compacted).
    public func firstIndex(of partition: PartitionID) -> LogIndex { storages[partition]?.firstIndex() ?? .zero }

    private func apply(_ entries: [Entry], partition: PartitionID, into rows: WriteBatch,
                       output: inout HostOutput) throws {
        var changes = ChangeSet()
        var appliedNow: LogIndex?
        let alreadyApplied = applied[partition] ?? .zero
        for entry in entries where entry.index > alreadyApplied {
            appliedNow = entry.index
            if entry.kind == .configurationChange, let change = try? ConfigurationChange(decoding: entry.payload),
               change.kind == .removeNode, change.node == nodeID {
                leaving.insert(partition)
            }
            guard entry.kind == .normal, !entry.payload.isEmpty else { continue }  // no-ops, conf changes
            if partition.isMetadata {
                try applyMemberCommand(entry.payload, into: rows, output: &output)
                continue
            }
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
