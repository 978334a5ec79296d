import QuadCore

/// One member of a Raft group: a pure, deterministic state machine.
///
/// Feed it input with `tick()`, `step(_:)`, `propose(_:)`, `proposeConfigurationChange(_:)`,
/// `readIndex(context:)` and `transferLeadership(to:)`; then, while `hasReady`, take
/// `ready()`, carry it out in the order `Ready` documents, and call `advance(_:)` before any
/// other call. The node performs no I/O, reads no clock and draws randomness only from a
/// generator seeded by `RaftConfiguration.randomSeed`.
public struct RaftNode<Storage: RaftStorage> {
    /// The settings this node was made with.
    public let configuration: RaftConfiguration
    var log: RaftLog<Storage>
    /// The current term.
    public internal(set) var term: Term = .zero
    /// Whom this node voted for in `term`.
    public internal(set) var vote: NodeID = .none
    /// The leader of `term` as far as this node knows.
    public internal(set) var leader: NodeID = .none
    /// This node's role.
    public internal(set) var role: RaftRole = .follower
    /// The membership in force (as of the last applied configuration change or snapshot).
    public internal(set) var membership: ConfigurationState

    var progress: [NodeID: Progress] = [:]
    var votes: [NodeID: Bool] = [:]
    var electionElapsedTicks = 0
    var heartbeatElapsedTicks = 0
    var randomizedElectionTimeoutTicks = 0
    /// Ticks since this node was made; the leader's clock for leases.
    var tickCount: UInt64 = 0
    var random: SplitMix64
    /// While true (right after start, in lease read mode), vote requests are ignored for one
    /// election timeout, as if a leader had just been heard: a restarted node cannot know
    /// whether it was inside some leader's lease, and must not help end it early.
    var startupLease: Bool
    /// The last index holding a configuration change not yet applied.
    var pendingConfigurationIndex: LogIndex = .zero
    /// Index of the no-op this leader appended when it took office.
    var termStartIndex: LogIndex = .zero
    var uncommittedBytes = 0
    /// The member a leadership transfer is under way to.
    public internal(set) var transferTarget: NodeID = .none
    var readQueue = ReadIndexQueue()
    /// Reads received before this leader committed an entry of its term.
    var readsAwaitingTermCommit: [(requester: NodeID, context: [UInt8])] = []
    var readStates: [ReadState] = []
    var outbox: [Message] = []
    var emittedHardState: HardState
    var reportedHardState: HardState
    var emittedSoftState: SoftState
    var readyOutstanding = false

    /// Restores a node from `storage` (empty for a new node) after validating `configuration`.
    public init(configuration: RaftConfiguration, storage: Storage) throws(RaftError) {
        try configuration.validate()
        self.configuration = configuration
        let (hardState, membership) = storage.initialState()
        log = RaftLog(storage: storage)
        self.membership = membership
        random = SplitMix64(seed: configuration.randomSeed)
        startupLease = configuration.readOnlyMode == .lease
        term = hardState.term
        vote = hardState.vote
        log.commit(to: min(max(hardState.commit, log.committed), log.lastIndex))
        emittedHardState = hardState
        reportedHardState = hardState
        emittedSoftState = SoftState(leader: .none, role: .follower)
        becomeFollower(term: hardState.term, leader: .none)
    }

    /// This node's identity.
    public var id: NodeID { configuration.id }
    /// The highest index known committed.
    public var commitIndex: LogIndex { log.committed }
    /// The highest index reported applied.
    public var appliedIndex: LogIndex { log.applied }
    /// The first index still in the log.
    public var firstIndex: LogIndex { log.firstIndex }
    /// The last index in the log (stable or not).
    public var lastIndex: LogIndex { log.lastIndex }
    /// The term at `index`, or nil when compacted or beyond the log.
    public func term(at index: LogIndex) -> Term? { log.term(at: index) }
    /// The entry at `index`, or nil when compacted or beyond the log (for checkers and tools).
    public func entry(at index: LogIndex) -> Entry? {
        guard index >= log.firstIndex, index <= log.lastIndex else { return nil }
        return (try? log.slice(from: index, upTo: index.next, bytesMax: Int.max))?.first
    }
    /// The hard state as it stands now (persisted or not).
    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    /// Whether this node may campaign: a voter with a known configuration.
    public var isPromotable: Bool { membership.isVoter(id) }
    /// The replication state and match index the leader holds for `member`.
    public func replicationStatus(of member: NodeID) -> (state: ReplicationState, match: LogIndex, next: LogIndex)? {
        guard role == .leader, let entry = progress[member] else { return nil }
        return (entry.state, entry.match, entry.next)
    }

    /// Ticks counted so far (calls of `tick()`): the clock heartbeats are stamped with.
    public var ticks: UInt64 { tickCount }
    /// The newest tick stamp of a heartbeat `member` acknowledged to this leader: every heartbeat
    /// sent at a later tick than some moment carries the commit index of that moment or later.
    public func acknowledgedHeartbeatTick(of member: NodeID) -> UInt64? {
        guard role == .leader, let entry = progress[member] else { return nil }
        return entry.acknowledgedHeartbeatTick
    }

    // MARK: Output helpers

    mutating func send(_ message: Message) {
        guard outbox.count < RaftLimits.outboxMessagesMax else { return }
        outbox.append(message)
    }

    func message(_ kind: MessageKind, to: NodeID) -> Message {
        Message(kind: kind, from: id, to: to, term: term)
    }

    mutating func resetRandomizedElectionTimeout() {
        let span = UInt64(configuration.electionTimeoutTicks)
        randomizedElectionTimeoutTicks = configuration.electionTimeoutTicks + Int(random.next() % span)
    }
}
