/// A deliberately broken behaviour of the core, switched on only by tests and the simulator to
/// prove that the invariant checkers catch that class of bug.
///
/// **Test-only.** Never set `RaftConfiguration.testingFaults` in a real shell; every fault here
/// breaks safety by design.
public enum TestingFault: String, CaseIterable, Hashable, Sendable {
    /// The leader commits an entry of an earlier term by counting replicas (violates §5.4.2 and
    /// Figure 8 of the Raft paper).
    case commitPreviousTermByCounting = "commit-previous-term"
    /// The vote is granted and the reply sent, but `Ready.hardState` still carries the old
    /// vote, so a crash forgets whom the node voted for.
    case voteNotPersisted = "vote-not-persisted"
    /// A follower truncates everything after `prevLogIndex` on every AppendEntries, even entries
    /// that match, so a stale or reordered message deletes acknowledged entries.
    case truncateMatchingSuffix = "truncate-matching-suffix"
    /// A new leader accepts a configuration change before committing an entry of its own term,
    /// and ignores a change left pending by an earlier term (Ongaro's 2015 bug).
    case configurationChangeBeforeTermCommit = "conf-change-before-term-commit"
    /// `Ready.mustSync` is false for new entries, so followers acknowledge (and leaders count)
    /// entries that a crash then loses.
    case acknowledgeBeforeDurable = "ack-before-durable"
}
