public import QuadCore

/// The last entry removed by log compaction: later reads start after it, and
/// Raft's consistency check at `index` uses `term`.
public struct CompactionMark: Sendable, Equatable {
    /// The last compacted index; entries up to and including it are gone.
    public var index: LogIndex
    /// The term of the entry at `index`.
    public var term: Term

    /// Makes a compaction mark.
    public init(index: LogIndex, term: Term) {
        self.index = index
        self.term = term
    }
}
