import QuadCore

/// The state a node must persist before sending any message that depends on it.
public struct HardState: Equatable, Sendable, CustomStringConvertible {
    /// The latest term this node has seen.
    public var term: Term
    /// Whom this node voted for in `term`, or `NodeID.none`.
    public var vote: NodeID
    /// The highest index known committed (persisting it is an optimisation, never a must).
    public var commit: LogIndex

    /// Makes a hard state.
    public init(term: Term = .zero, vote: NodeID = .none, commit: LogIndex = .zero) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    public var description: String { "term=\(term) vote=\(vote) commit=\(commit)" }
}

/// The role a node plays in its current term.
public enum RaftRole: String, Sendable {
    /// Follows the leader of its term, or waits for one.
    case follower
    /// Asks for pre-votes without raising its term.
    case preCandidate = "pre-candidate"
    /// Raised its term and asks for votes.
    case candidate
    /// Leads its term.
    case leader
}

/// Volatile state worth telling the shell about when it changes (for routing and logs).
public struct SoftState: Equatable, Sendable {
    /// The leader this node knows of, or `NodeID.none`.
    public var leader: NodeID
    /// This node's role.
    public var role: RaftRole
}

/// The answer to one `readIndex(context:)`: once the local state machine has applied
/// `index`, a read made then reflects every write acknowledged before the request.
public struct ReadState: Equatable, Sendable {
    /// The commit index the read must wait for.
    public var index: LogIndex
    /// The caller's context bytes, to match the answer to its request.
    public var context: [UInt8]

    /// Makes a read state.
    public init(index: LogIndex, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}
