import QuadCore

/// Everything a `RaftNode` needs to know that is not in its storage.
///
/// Build one, adjust fields, and let `RaftNode.init` call `validate()`.
public struct RaftConfiguration: Sendable {
    /// This node's identity; never `NodeID.none`.
    public var id: NodeID
    /// Ticks a follower waits without hearing from a leader before it campaigns. The actual
    /// timeout is drawn uniformly from `[electionTimeoutTicks, 2 * electionTimeoutTicks)`.
    public var electionTimeoutTicks: Int = 10
    /// Ticks between a leader's heartbeats; must be less than `electionTimeoutTicks`.
    public var heartbeatIntervalTicks: Int = 1
    /// Campaign in a pre-vote round first, so a partitioned node does not raise the term.
    public var preVote: Bool = true
    /// A leader steps down when a quorum has not been heard from for an election timeout, and
    /// followers ignore vote requests while they hear from a leader.
    public var checkQuorum: Bool = true
    /// How reads are confirmed; `.lease` requires `checkQuorum`.
    public var readOnlyMode: ReadOnlyMode = .safe
    /// Ticks subtracted from the election timeout to bound a lease, covering clock drift.
    public var leaseMarginTicks: Int = 2
    /// Largest entry payload accepted by `propose`.
    public var entryBytesMax: Int = RaftLimits.entryBytesMax
    /// Largest sum of entry bytes in one AppendEntries message (at least one entry is always sent).
    public var messageBytesMax: Int = RaftLimits.messageBytesMax
    /// Most AppendEntries messages in flight to one follower.
    public var inflightMessagesMax: Int = RaftLimits.inflightMessagesMax
    /// Most entry bytes in flight to one follower.
    public var inflightBytesMax: Int = RaftLimits.inflightBytesMax
    /// Most payload bytes appended at the leader but not yet committed.
    public var uncommittedBytesMax: Int = RaftLimits.uncommittedBytesMax
    /// Seed of the generator that randomizes election timeouts. Give each node its own.
    public var randomSeed: UInt64
    /// Forward proposals made at a follower to the leader instead of refusing them.
    public var forwardProposals: Bool = true
    /// **Test-only.** Deliberately broken behaviours; see `TestingFault`. Empty in production.
    public var testingFaults: Set<TestingFault> = []

    /// Makes a configuration with defaults for everything but the identity and the seed.
    public init(id: NodeID, randomSeed: UInt64) {
        self.id = id
        self.randomSeed = randomSeed
    }

    /// Throws `RaftError.Code.invalidConfiguration` for settings that cannot work.
    public func validate() throws(RaftError) {
        func reject(_ message: String) -> RaftError {
            RaftError(code: .invalidConfiguration, message: message)
        }
        guard id != .none else { throw reject("id must not be NodeID.none (0)") }
        guard heartbeatIntervalTicks > 0 else { throw reject("heartbeatIntervalTicks must be positive") }
        guard electionTimeoutTicks > heartbeatIntervalTicks else {
            throw reject("electionTimeoutTicks (\(electionTimeoutTicks)) must exceed heartbeatIntervalTicks (\(heartbeatIntervalTicks))")
        }
        guard electionTimeoutTicks <= RaftLimits.electionTimeoutTicksMax else {
            throw reject("electionTimeoutTicks must be at most \(RaftLimits.electionTimeoutTicksMax)")
        }
        guard entryBytesMax > 0, entryBytesMax <= RaftLimits.entryBytesMax else {
            throw reject("entryBytesMax must be in 1...\(RaftLimits.entryBytesMax)")
        }
        guard messageBytesMax > 0, messageBytesMax <= RaftLimits.messageBytesMax else {
            throw reject("messageBytesMax must be in 1...\(RaftLimits.messageBytesMax)")
        }
        guard inflightMessagesMax > 0, inflightMessagesMax <= RaftLimits.inflightMessagesMax else {
            throw reject("inflightMessagesMax must be in 1...\(RaftLimits.inflightMessagesMax)")
        }
        guard inflightBytesMax >= messageBytesMax, inflightBytesMax <= RaftLimits.inflightBytesMax else {
            throw reject("inflightBytesMax must be at least messageBytesMax and at most \(RaftLimits.inflightBytesMax)")
        }
        guard uncommittedBytesMax >= entryBytesMax, uncommittedBytesMax <= RaftLimits.uncommittedBytesMax else {
            throw reject("uncommittedBytesMax must be at least entryBytesMax and at most \(RaftLimits.uncommittedBytesMax)")
        }
        if readOnlyMode == .lease {
            guard checkQuorum else { throw reject("readOnlyMode .lease requires checkQuorum") }
            guard leaseMarginTicks >= 0, leaseMarginTicks < electionTimeoutTicks else {
                throw reject("leaseMarginTicks must be in 0..<electionTimeoutTicks")
            }
        }
    }
}
