public import QuadCore

extension RaftLogStore {
    /// The stored hard state of `group`, or `nil` for a group never written.
    public func hardState(group: PartitionID) throws(StorageError) -> StoredHardState? {
        guard let words = try readWords(group, .hardState, count: 3) else { return nil }
        return StoredHardState(term: Term(words[0]), vote: NodeID(words[1]), commit: LogIndex(words[2]))
    }

    /// The applied index of `group`; `.zero` when nothing was applied yet.
    public func appliedIndex(group: PartitionID) throws(StorageError) -> LogIndex {
        guard let words = try readWords(group, .appliedIndex, count: 1) else { return .zero }
        return LogIndex(words[0])
    }

    /// The last compaction of `group`, or `nil` when its log was never compacted.
    public func compactionMark(group: PartitionID) throws(StorageError) -> CompactionMark? {
        guard let words = try readWords(group, .compactionMark, count: 2) else { return nil }
        return CompactionMark(index: LogIndex(words[0]), term: Term(words[1]))
    }

    /// The first index that can be read: one past the compaction mark (1 when never compacted).
    public func firstIndex(group: PartitionID) throws(StorageError) -> LogIndex {
        (try compactionMark(group: group)?.index ?? .zero).next
    }

    /// The index of the last stored entry; the compaction mark's index (or `.zero`) when none is stored.
    public func lastIndex(group: PartitionID) throws(StorageError) -> LogIndex {
        let last = try database.scan(
            .raftLog, from: RaftKeys.groupStart(group), to: RaftKeys.groupEnd(group), reverse: true, limit: 1
        )
        if let pair = last.first {
            guard let index = RaftKeys.index(ofEntryKey: pair.key, group: group) else {
                throw StorageError(code: "corrupt_entry", message: "group \(group): malformed raft_log key \(pair.key)")
            }
            return index
        }
        return try compactionMark(group: group)?.index ?? .zero
    }

    /// The term of the entry at `index`: `.zero` at index 0, the mark's term at the compaction
    /// mark, `nil` when the entry is compacted away or not stored.
    public func term(at index: LogIndex, group: PartitionID) throws(StorageError) -> Term? {
        if index == .zero { return .zero }
        if let mark = try compactionMark(group: group), index <= mark.index {
            return index == mark.index ? mark.term : nil
        }
        let key = RaftKeys.entry(group, index)
        guard let value = try database.get(.raftLog, key) else { return nil }
        return try Self.decodeEntry(key: key, value: value, group: group).term
    }

    /// The entries with `from <= index < to`, checksums verified, stopping once their encoded
    /// size reaches `maxBytes` (at least one entry is returned when one exists, as etcd does,
    /// so a large entry cannot stall replication) or at the last stored entry.
    ///
    /// Throws `compacted` when `from` is at or below the compaction mark, and `corrupt_entry`
    /// when a checksum fails or an index in the range is missing.
    public func entries(group: PartitionID, from: LogIndex, to: LogIndex, maxBytes: Int) throws(StorageError) -> [StoredEntry] {
        precondition(from <= to, "entries(from:to:) needs from <= to")
        precondition(from > .zero, "log index 0 is the empty prefix, not an entry")
        let first = try firstIndex(group: group)
        guard from >= first else {
            throw StorageError(code: "compacted", message: "group \(group): entries before \(first) were compacted, asked from \(from)")
        }
        var entries: [StoredEntry] = []
        var totalBytes = 0
        var failure: StorageError?
        try database.visit(
            .raftLog, from: RaftKeys.entry(group, from), to: RaftKeys.entry(group, to), reverse: false, snapshot: nil
        ) { key, value in
            do throws(StorageError) {
                let entry = try Self.decodeEntry(key: key, value: value, group: group)
                let expected = entries.last?.index.next ?? from
                guard entry.index == expected else {
                    throw StorageError(code: "corrupt_entry", message: "group \(group): entry \(expected) is missing, found \(entry.index)")
                }
                totalBytes += value.count
                guard entries.isEmpty || totalBytes <= maxBytes else { return false }
                entries.append(entry)
                return totalBytes < maxBytes
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return entries
    }

    private func readWords(_ group: PartitionID, _ field: RaftKeys.StateField, count: Int) throws(StorageError) -> [UInt64]? {
        let key = RaftKeys.state(group, field)
        guard let value = try database.get(.raftState, key) else { return nil }
        return try Self.decodeWords(value, key: key, count: count, what: "group \(group) \(field)")
    }
}
