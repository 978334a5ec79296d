import QuadCore

/// Entries (and possibly a snapshot) the core holds that the shell has not yet persisted.
/// `entries[0]` is at `offset`; the snapshot, when present, precedes `offset`.
struct UnstableLog {
    var snapshot: Snapshot?
    var entries: [Entry] = []
    var offset: LogIndex

    init(offset: LogIndex) { self.offset = offset }

    /// The first index known from an unstable snapshot.
    var firstIndexFromSnapshot: LogIndex? { snapshot.map { $0.metadata.index.next } }

    /// The last index held here, if any.
    var lastIndex: LogIndex? {
        if !entries.isEmpty { return offset.advanced(by: entries.count - 1) }
        return snapshot?.metadata.index
    }

    /// The term at `index` if this log knows it.
    func term(at index: LogIndex) -> Term? {
        if index < offset {
            guard let snapshot, snapshot.metadata.index == index else { return nil }
            return snapshot.metadata.term
        }
        guard let last = lastIndex, index <= last else { return nil }
        return entries[offset.distance(to: index)].term
    }

    /// Drops entries through `index` once persisted, if they are still the ones persisted.
    mutating func stableTo(index: LogIndex, term: Term) {
        guard index >= offset, self.term(at: index) == term else { return }
        entries.removeFirst(offset.distance(to: index) + 1)
        offset = index.next
    }

    /// Forgets the unstable snapshot once persisted.
    mutating func stableSnapshotTo(index: LogIndex) {
        if snapshot?.metadata.index == index { snapshot = nil }
    }

    /// Replaces everything with a snapshot received from the leader.
    mutating func restore(_ newSnapshot: Snapshot) {
        offset = newSnapshot.metadata.index.next
        entries = []
        snapshot = newSnapshot
    }

    /// Appends `newEntries`, truncating any entries from their first index on.
    mutating func truncateAndAppend(_ newEntries: [Entry]) {
        guard let first = newEntries.first else { return }
        let after = first.index
        if after == offset.advanced(by: entries.count) {
            entries.append(contentsOf: newEntries)
        } else if after <= offset {
            // The new entries replace everything unstable (and overwrite stable ones in storage).
            offset = after
            entries = newEntries
        } else {
            entries.removeSubrange(offset.distance(to: after)...)
            entries.append(contentsOf: newEntries)
        }
    }

    /// Entries `lowerBound..<upperBound`, all held here.
    func slice(from lowerBound: LogIndex, upTo upperBound: LogIndex) -> [Entry] {
        precondition(lowerBound >= offset && upperBound <= offset.advanced(by: entries.count), "unstable slice out of range")
        return Array(entries[offset.distance(to: lowerBound)..<offset.distance(to: upperBound)])
    }
}
