public import QuadCore

/// The durable Raft log and Raft state of every group (partition) on this node, in one `Database`.
///
/// Writers add operations to a `WriteBatch` (`appendEntries`, `setHardState`, ...) so the
/// caller can commit many groups' entries and hard states with one synced write (group
/// commit), and apply a group's rows together with its applied index. Readers verify the
/// CRC32C of every value they read back; a mismatch throws `corrupt_entry`.
///
/// The store keeps no cache: every read goes to RocksDB, so it is correct whatever wrote
/// the batch. The caller serializes the writes of one group (one Raft loop owns it).
public final class RaftLogStore: Sendable {
    /// The database holding the `raft_log` and `raft_state` column families.
    public let database: Database

    /// A store over `database`.
    public init(database: Database) {
        self.database = database
    }

    // MARK: Writes (into a batch)

    /// Adds `entries` to `batch`: contiguous, increasing indexes starting at 1 or more.
    ///
    /// Entries already stored at those indexes are overwritten. Appending does not delete
    /// later entries: when a leader's entries conflict, call `truncateSuffix` first.
    public func appendEntries(_ entries: [StoredEntry], group: PartitionID, into batch: WriteBatch) {
        checkBatch(batch)
        var expected = entries.first?.index
        for entry in entries {
            precondition(entry.index > .zero, "log index 0 is the empty prefix, not an entry")
            precondition(entry.index == expected, "entries must be contiguous: expected \(expected.map(\.description) ?? "-"), got \(entry.index)")
            let key = RaftKeys.entry(group, entry.index)
            batch.put(.raftLog, key, Self.encodeEntry(entry, key: key))
            expected = entry.index.next
        }
    }

    /// Removes the entries at `index` and after (conflicting entries a new leader overrides).
    public func truncateSuffix(from index: LogIndex, group: PartitionID, into batch: WriteBatch) {
        checkBatch(batch)
        batch.deleteRange(.raftLog, from: RaftKeys.entry(group, index), to: RaftKeys.groupEnd(group))
    }

    /// Removes the entries up to and including `index` with one range delete, and records
    /// `CompactionMark(index, term)` in the same batch.
    ///
    /// For installing a snapshot, where the caller knows the term and the log may not hold
    /// the entry. The caller guarantees `index` is not below the current mark.
    public func compact(upTo index: LogIndex, term: Term, group: PartitionID, into batch: WriteBatch) {
        checkBatch(batch)
        batch.deleteRange(.raftLog, from: RaftKeys.groupStart(group), to: RaftKeys.entry(group, index.next))
        let key = RaftKeys.state(group, .compactionMark)
        batch.put(.raftState, key, Self.encodeWords([index.rawValue, term.rawValue], key: key))
    }

    /// Compacts up to and including `index`, taking its term from the stored log.
    ///
    /// A no-op when `index` is already compacted; throws `unavailable` when the entry at
    /// `index` is not stored (it must be written before it can be compacted).
    public func compact(upTo index: LogIndex, group: PartitionID, into batch: WriteBatch) throws(StorageError) {
        if let mark = try compactionMark(group: group), index <= mark.index { return }
        guard let term = try term(at: index, group: group) else {
            throw StorageError(code: "unavailable", message: "group \(group): cannot compact to \(index), entry not stored")
        }
        compact(upTo: index, term: term, group: group, into: batch)
    }

    /// Adds the hard state of `group` to `batch`.
    public func setHardState(_ state: StoredHardState, group: PartitionID, into batch: WriteBatch) {
        checkBatch(batch)
        let key = RaftKeys.state(group, .hardState)
        let words = [state.term.rawValue, state.vote.rawValue, state.commit.rawValue]
        batch.put(.raftState, key, Self.encodeWords(words, key: key))
    }

    /// Adds the applied index of `group` to `batch`; write it in the batch of the rows it applied.
    public func setAppliedIndex(_ index: LogIndex, group: PartitionID, into batch: WriteBatch) {
        checkBatch(batch)
        let key = RaftKeys.state(group, .appliedIndex)
        batch.put(.raftState, key, Self.encodeWords([index.rawValue], key: key))
    }

    private func checkBatch(_ batch: WriteBatch) {
        precondition(batch.database === database, "the batch must belong to this store's Database")
    }
}
