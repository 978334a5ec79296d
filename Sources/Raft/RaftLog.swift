import QuadCore

/// The log as the core sees it: stable storage followed by unstable entries, plus the commit
/// and applied indices.
struct RaftLog<Storage: RaftStorage> {
    let storage: Storage
    var unstable: UnstableLog
    /// Highest index known committed.
    var committed: LogIndex
    /// Highest index the shell reported applied.
    var applied: LogIndex

    init(storage: Storage) {
        self.storage = storage
        unstable = UnstableLog(offset: storage.lastIndex().next)
        committed = storage.firstIndex().previous
        applied = committed
    }

    var firstIndex: LogIndex { unstable.firstIndexFromSnapshot ?? storage.firstIndex() }
    var lastIndex: LogIndex { unstable.lastIndex ?? storage.lastIndex() }
    /// The last index that stable storage holds (entries after it are not yet durable).
    var stableLastIndex: LogIndex { unstable.offset.previous }
    var lastTerm: Term { term(at: lastIndex) ?? .zero }

    /// The term at `index`, or nil when compacted away or beyond the log.
    func term(at index: LogIndex) -> Term? {
        guard index >= firstIndex.previous, index <= lastIndex else { return nil }
        if let term = unstable.term(at: index) { return term }
        return try? storage.term(at: index)
    }

    func matchTerm(_ index: LogIndex, _ term: Term) -> Bool { self.term(at: index) == term }

    /// Whether a log ending at (`index`, `term`) is at least as up-to-date as this one (§5.4.1).
    func isUpToDate(lastIndex index: LogIndex, term: Term) -> Bool {
        term > lastTerm || (term == lastTerm && index >= lastIndex)
    }

    /// The index of the first entry that is absent or conflicts, or nil if all match.
    func firstConflict(in entries: [Entry]) -> LogIndex? {
        for entry in entries where !matchTerm(entry.index, entry.term) { return entry.index }
        return nil
    }

    /// The largest index ≤ `index` whose term is ≤ `term` (fast backtracking), with its term.
    func lastIndexAtOrBefore(_ index: LogIndex, term: Term) -> (index: LogIndex, term: Term) {
        var candidate = index
        while candidate > .zero {
            guard let candidateTerm = self.term(at: candidate) else { return (candidate, .zero) }
            if candidateTerm <= term { return (candidate, candidateTerm) }
            candidate = candidate.previous
        }
        return (.zero, .zero)
    }

    /// Appends `entries` at the end (leader path) and returns the new last index.
    @discardableResult
    mutating func append(_ entries: [Entry]) -> LogIndex {
        guard let first = entries.first else { return lastIndex }
        precondition(first.index > committed, "appending at \(first.index) would overwrite committed \(committed)")
        unstable.truncateAndAppend(entries)
        return lastIndex
    }

    /// Follower path: when (`index`, `logTerm`) matches, append what is new or conflicting,
    /// advance the commit index, and return the last index the message vouches for.
    /// `truncateAll` is the broken `truncateMatchingSuffix` behaviour.
    mutating func maybeAppend(index: LogIndex, logTerm: Term, commit leaderCommit: LogIndex, entries: [Entry], truncateAll: Bool) -> LogIndex? {
        guard matchTerm(index, logTerm) else { return nil }
        let lastNew = index.advanced(by: entries.count)
        if truncateAll {
            // Broken on purpose: replaces the suffix even where it already matches.
            unstable.truncateAndAppend(entries)
        } else if let conflict = firstConflict(in: entries) {
            precondition(conflict > committed, "entry \(conflict) conflicts with the committed log (commit \(committed))")
            unstable.truncateAndAppend(Array(entries[index.distance(to: conflict) - 1..<entries.count]))
        }
        commit(to: min(leaderCommit, lastNew))
        return lastNew
    }

    /// Raises the commit index (never lowers it); the caller vouches that `index` is committed.
    mutating func commit(to index: LogIndex) {
        if index > committed {
            precondition(index <= lastIndex, "commit \(index) beyond last index \(lastIndex)")
            committed = index
        }
    }

    /// Entries `lowerBound..<upperBound` from storage and the unstable log, within `bytesMax`.
    func slice(from lowerBound: LogIndex, upTo upperBound: LogIndex, bytesMax: Int) throws(RaftError) -> [Entry] {
        guard lowerBound < upperBound else { return [] }
        if lowerBound < firstIndex {
            throw RaftError(code: .compacted, message: "index \(lowerBound) is compacted (first \(firstIndex))")
        }
        precondition(upperBound <= lastIndex.next, "slice beyond the log")
        var result: [Entry] = []
        if lowerBound < unstable.offset {
            result = try storage.entries(from: lowerBound, upTo: min(upperBound, unstable.offset), bytesMax: bytesMax)
            let reachedEnd = result.last.map { $0.index.next == min(upperBound, unstable.offset) } ?? false
            if !reachedEnd { return result }
        }
        if upperBound > unstable.offset {
            let unstablePart = unstable.slice(from: max(lowerBound, unstable.offset), upTo: upperBound)
            result.append(contentsOf: unstablePart)
            result = result.prefix(bytesMax: bytesMax)
        }
        return result
    }

    /// Entries from `index` to the end, within `bytesMax`.
    func entries(from index: LogIndex, bytesMax: Int) throws(RaftError) -> [Entry] {
        try slice(from: index, upTo: lastIndex.next, bytesMax: bytesMax)
    }

    /// Whether committed entries wait to be applied.
    var hasCommittedEntriesToApply: Bool { committed > applied && applied.next >= firstIndex }

    /// The next committed entries to apply.
    func committedEntriesToApply() -> [Entry] {
        guard hasCommittedEntriesToApply else { return [] }
        do {
            return try slice(from: applied.next, upTo: committed.next, bytesMax: RaftLimits.committedEntriesBytesPerReadyMax)
        } catch {
            preconditionFailure("committed entries \(applied.next)...\(committed) unreadable: \(error)")
        }
    }

    /// The latest snapshot, unstable first.
    func snapshot() throws(RaftError) -> Snapshot {
        if let snapshot = unstable.snapshot { return snapshot }
        return try storage.snapshot()
    }

    /// Replaces the log with a snapshot received from the leader.
    mutating func restore(_ snapshot: Snapshot) {
        committed = snapshot.metadata.index
        unstable.restore(snapshot)
    }
}
