public import Community
public import QuadCore
public import Raft
public import CoreMetrics
import Storage
import Synchronization
import Metrics
import NIOCore
import NIOPosix

/// Drives a node's `ReplicaHost`: ticks its clock, feeds it peers' messages and client
/// proposals, and after each round sends what it produced and answers waiting clients.
///
/// An actor pinned to its own event loop thread, so the synced RocksDB writes of a round
/// never block Swift's cooperative pool. Rounds coalesce: whatever arrives while a round
/// writes goes into the next one (group commit across clients and partitions).
public actor ReplicaDriver {
    /// One tick of the Raft clock. Elections take 10-20 ticks (0.5-1 s) and leaders send a
    /// heartbeat every tick, so a dead leader is replaced in about a second.
    public static let tickInterval: Duration = .milliseconds(50)
    /// A proposal not applied within this long is answered 503: leadership may have moved.
    public static let proposalTimeout: Duration = .seconds(5)
    /// Proposals waiting for apply on this node, across partitions.
    public static let pendingProposalsMax = 10_000

    public let nodeID: NodeID
    public let placement: Placement
    /// The cluster's founding members (`--members`), until the metadata group's table has any.
    let foundingMembers: [MemberRecord]
    /// Peers to ask for the member table while this node has none (`--join`).
    let joinPeers: [NodeID]
    let host: ReplicaHost
    let messenger: any PeerMessenger
    let events: EventHub
    let eventLoop: any EventLoop
    /// Replicas per partition wanted (fewer while the cluster has fewer active members).
    let replicationFactor: Int
    /// Where this node serves the API, for status reports.
    let apiAddress: String?
    let metrics: NodeMetrics
    /// One lag gauge per partition held here.
    private var lagGauges: [PartitionID: Gauge] = [:]
    /// Ticks since the gauges were last set.
    private var ticksSinceGauges = 0
    /// Ticks since this node last checked its share of leaderships.
    private var ticksSinceBalance = 0
    /// Whether this node hands away leaderships beyond its share (`LeaderBalance`); off in tests
    /// that need leaders to stay where elections put them.
    let balancesLeaders: Bool
    /// Gauges are set once a second (every 20 ticks), not on every tick.
    static let gaugeTicks = 20
    private var inbox: [(PartitionID, Raft.Message)] = []
    private var waiting: [UInt64: Waiter] = [:]
    private var roundScheduled = false
    private var stopped = false
    var readWaiters: [UInt64: ReadWaiter] = [:]
    /// Member-table proposals of this node waiting to be applied.
    var memberWaiters: [UInt64: CheckedContinuation<Result<MemberTable, MemberTableError>, any Error>] = [:]
    /// Ticks since the last rebalancing check.
    var ticksSinceRebalance = 0
    /// When each peer's traffic (Raft messages or pings) last arrived: node liveness.
    nonisolated let lastHeard = Mutex<[NodeID: ContinuousClock.Instant]>([:])
    /// Ticks since this node last pinged its peers.
    var ticksSincePing = 0
    /// Groups that skipped the last tick (quiescence).
    public internal(set) var quietGroups = 0
    /// Partitions each other member leads, as it last reported (leader balancing).
    var reportedLeaderCounts: [NodeID: Int] = [:]
    /// Whether a `--join` peer is being asked for the member table.
    var askingForMembers = false
    /// Whether this node's API address registration is under way.
    var registeringAPIAddress = false
    /// Why this node refused to join the cluster its `--join` peers belong to, if it did.
    public internal(set) var joinRefusal: String?
    /// Snapshot streams to followers under way.
    var snapshotSends = 0
    /// Where arriving snapshots' rows wait until installed.
    nonisolated let staging: SnapshotStaging
    /// Groups a snapshot stream is arriving for.
    nonisolated let snapshotsReceiving = Mutex<Set<PartitionID>>([])
    var nextReadID: UInt64 = 0

    struct Waiter {
        let partition: PartitionID
        let continuation: CheckedContinuation<Result<Outcome, CommunityError>, any Error>
        let deadline: ContinuousClock.Instant
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    /// A driver over `host` (whose groups are already open), running on `eventLoop`.
    public init(host: ReplicaHost, placement: Placement, founders: [MemberRecord], joinPeers: [NodeID] = [],
                messenger: any PeerMessenger, events: EventHub, eventLoop: any EventLoop,
                replicationFactor: Int = Placement.replicationFactorDefault, apiAddress: String? = nil,
                metricsFactory: any MetricsFactory = MetricsSystem.factory, balancesLeaders: Bool = true) {
        self.nodeID = host.nodeID
        self.foundingMembers = founders
        self.joinPeers = joinPeers
        self.host = host
        self.staging = SnapshotStaging(database: host.database)
        self.placement = placement
        self.messenger = messenger
        self.events = events
        self.eventLoop = eventLoop
        self.replicationFactor = replicationFactor
        self.apiAddress = apiAddress
        self.balancesLeaders = balancesLeaders
        let metrics = NodeMetrics(factory: metricsFactory)
        self.metrics = metrics
    }

    /// Ticks until `stop()`.
    public func run() async {
        if !host.memberTable.isEmpty {
            messenger.updatePeers(host.memberTable.members.mapValues(\.peerAddress))
            messenger.adoptWireVersion(host.memberTable.wireVersion)
        }
        while !stopped {
            try? await Task.sleep(for: Self.tickInterval)
            if stopped { break }
            ticksSincePing += 1
            if ticksSincePing >= Self.pingTicks {
                ticksSincePing = 0
                for peer in currentMembers where peer != nodeID { messenger.ping(peer) }
            }
            quietGroups = host.tick(liveNodes: liveNodes())
            round()
            expireWaiters()
            settleReads([])
            ticksSinceGauges += 1
            if ticksSinceGauges >= Self.gaugeTicks {
                ticksSinceGauges = 0
                setGauges()
            }
            ticksSinceRebalance += 1
            if ticksSinceRebalance >= Self.rebalanceTicks {
                ticksSinceRebalance = 0
                rebalance()
            }
            ticksSinceBalance += 1
            if balancesLeaders, ticksSinceBalance >= Self.balanceTicks {
                ticksSinceBalance = 0
                balanceLeaders()
            }
        }
        for (_, waiter) in waiting {
            waiter.continuation.resume(throwing: NodeError(.unavailable, "The node is shutting down."))
        }
        waiting.removeAll()
        for (_, waiter) in readWaiters {
            waiter.continuation.resume(throwing: NodeError(.unavailable, "The node is shutting down."))
        }
        readWaiters.removeAll()
        for (_, waiter) in memberWaiters { waiter.resume(throwing: NodeError(.unavailable, "The node is shutting down.")) }
        memberWaiters.removeAll()
    }

    public func stop() { stopped = true }

    /// Whether `stop()` was called: nothing new may wait on a driver whose loop has ended.
    var isStopped: Bool { stopped }

    /// Messages from a peer.
    public func receive(_ messages: [(PartitionID, Raft.Message)]) {
        guard !stopped else { return }
        // A snapshot's rows come on their own stream (`installSnapshot`); one without them is dropped.
        inbox += messages.filter { $0.1.kind != .installSnapshot }
        scheduleRound()
    }

    /// The leader this node believes `partition` has, if any.
    public func leader(of partition: PartitionID) -> NodeID? {
        guard let leader = host.leader(of: partition), leader != .none else { return nil }
        return leader
    }

    /// Logs `command` in its partition and answers once applied here. Throws `NodeError`
    /// when this node is not the leader (the caller forwards) or the write cannot finish.
    public func propose(_ command: Command) async throws -> Result<Outcome, CommunityError> {
        let partition = placement.partition(ofKey: command.body.placementKey)
        guard !stopped else { throw NodeError(.unavailable, "The node is shutting down.") }
        guard host.role(of: partition) == .leader else {
            throw NodeError(.notLeader, "This node does not lead \(partition).")
        }
        guard waiting.count < Self.pendingProposalsMax else {
            throw NodeError(.overloaded, "Too many writes are waiting; retry shortly.")
        }
        let id = try host.propose(command, in: partition)
        metrics.proposals.increment()
        scheduleRound()
        return try await withCheckedThrowingContinuation { continuation in
            waiting[id] = Waiter(partition: partition, continuation: continuation,
                                 deadline: ContinuousClock.now + Self.proposalTimeout)
        }
    }

    func scheduleRound() {
        guard !roundScheduled else { return }
        roundScheduled = true
        Task { self.scheduledRound() }
    }

    private func scheduledRound() {
        roundScheduled = false
        round()
    }

    /// Runs a round now (a snapshot install must finish before its stream is answered).
    func runRound() { round() }

    /// One round: deliver the inbox, then persist/send/apply whatever every group has ready.
    private func round() {
        let delivered = inbox
        inbox.removeAll(keepingCapacity: true)
        for (partition, message) in delivered { host.step(message, group: partition) }
        let output: HostOutput
        do {
            output = try host.process()
        } catch {
            // Storage failed under Raft: continuing could acknowledge what is not durable.
            preconditionFailure("replica storage failed: \(error)")
        }
        var byPeer: [NodeID: [(PartitionID, Raft.Message)]] = [:]
        for (partition, message) in output.messages { byPeer[message.to, default: []].append((partition, message)) }
        if output.synced {
            metrics.fsyncs.increment()
            metrics.batchSize.record(output.entriesWritten)
        }
        metrics.commandsApplied.increment(by: output.commandsApplied)
        metrics.elections.increment(by: output.electionsStarted)
        metrics.leaderChanges.increment(by: output.leaderChanges)
        metrics.snapshotsInstalled.increment(by: output.snapshotsInstalled)
        metrics.entriesCompacted.increment(by: output.entriesCompacted)
        for (peer, messages) in byPeer { messenger.send(messages, to: peer) }
        sendSnapshots(output.snapshots)
        for (id, result) in output.memberOutcomes { memberWaiters.removeValue(forKey: id)?.resume(returning: result) }
        if output.memberTableChanged {
            messenger.updatePeers(host.memberTable.members.mapValues(\.peerAddress))
            if !host.memberTable.isEmpty { messenger.adoptWireVersion(host.memberTable.wireVersion) }
            scheduleRebalance()
        }
        if !output.groupsLeft.isEmpty { metrics.groupsLeft.increment(by: output.groupsLeft.count) }
        for (id, result) in output.outcomes { waiting.removeValue(forKey: id)?.continuation.resume(returning: result) }
        events.publish(output.events)
        settleReads(output.readStates)
        failProposalsOfLostLeaderships()
    }

    /// Lag per partition (committed but not applied here) and partitions led.
    private func setGauges() {
        var led = 0
        for status in host.groupStatus() {
            if status.role == "leader" { led += 1 }
            let lag = status.commit > status.applied ? status.commit - status.applied : 0
            let partition = PartitionID(status.partition)
            if lagGauges[partition] == nil { lagGauges[partition] = metrics.partitionLag(partition) }
            lagGauges[partition]?.record(Int64(clamping: lag))
        }
        metrics.partitionsLed.record(led)
        metrics.partitionsQuiet.record(quietGroups)
    }

    /// Proposals in a partition this node no longer leads may never be applied here: answer
    /// them "retry" (with a client_msg_id the retry is safe whether or not the entry commits).
    private func failProposalsOfLostLeaderships() {
        let lost = waiting.filter { host.role(of: $0.value.partition) != .leader }
        for (id, waiter) in lost {
            waiting[id] = nil
            waiter.continuation.resume(throwing: NodeError(.unavailable, "Leadership of the partition moved; retry."))
        }
    }

    private func expireWaiters() {
        let now = ContinuousClock.now
        let expired = waiting.filter { $0.value.deadline <= now }
        for (id, waiter) in expired {
            waiting[id] = nil
            waiter.continuation.resume(throwing: NodeError(.unavailable, "The write did not finish in time; retry."))
        }
    }
}
