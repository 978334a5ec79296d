public import QuadCore

/// The Raft hard state of one group as stored in `raft_state`.
///
/// Named apart from `Raft.HardState` (same fields) because `Node` imports both modules;
/// the Raft shell converts field by field.
public struct StoredHardState: Sendable, Equatable {
    /// The latest term this node has seen.
    public var term: Term
    /// Whom this node voted for in `term`, or `NodeID.none`.
    public var vote: NodeID
    /// The highest log index known to be committed.
    public var commit: LogIndex

    /// Makes a hard state.
    public init(term: Term, vote: NodeID, commit: LogIndex) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}
