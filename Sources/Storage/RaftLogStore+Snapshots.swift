public import QuadCore

extension RaftLogStore {
    /// Replaces `group`'s whole log with a snapshot's position: every stored entry goes (the
    /// snapshot covers or supersedes them) and the compaction mark becomes (`index`, `term`).
    public func resetLog(toSnapshotAt index: LogIndex, term: Term, group: PartitionID, into batch: WriteBatch) {
        precondition(batch.database === database, "the batch must belong to this store's Database")
        batch.deleteRange(.raftLog, from: RaftKeys.groupStart(group), to: RaftKeys.groupEnd(group))
        let key = RaftKeys.state(group, .compactionMark)
        batch.put(.raftState, key, Self.encodeWords([index.rawValue, term.rawValue], key: key))
    }

    /// Records (or, with `nil`, clears) that `group`'s rows are being replaced by the snapshot at
    /// `mark`: while it is recorded, the rows in `data` are not to be trusted, and the staged
    /// rows must be moved in again (after a crash, on the next start).
    public func setSnapshotInstall(_ mark: CompactionMark?, group: PartitionID, into batch: WriteBatch) {
        precondition(batch.database === database, "the batch must belong to this store's Database")
        let key = RaftKeys.state(group, .snapshotInstall)
        if let mark {
            batch.put(.raftState, key, Self.encodeWords([mark.index.rawValue, mark.term.rawValue], key: key))
        } else {
            batch.delete(.raftState, key)
        }
    }

    /// The snapshot `group` was installing when last stopped, if its rows were not all moved in.
    public func snapshotInstall(group: PartitionID) throws(StorageError) -> CompactionMark? {
        let key = RaftKeys.state(group, .snapshotInstall)
        guard let value = try database.get(.raftState, key) else { return nil }
        let words = try Self.decodeWords(value, key: key, count: 2, what: "group \(group) snapshot install")
        return CompactionMark(index: LogIndex(words[0]), term: Term(words[1]))
    }
}

extension RaftLogStore {
    /// Removes everything `group` keeps here (entries and every state field): the node left it.
    public func removeGroup(_ group: PartitionID, into batch: WriteBatch) {
        precondition(batch.database === database, "the batch must belong to this store's Database")
        precondition(group.rawValue < UInt32.max, "group \(group) has no successor")
        batch.deleteRange(.raftLog, from: RaftKeys.groupStart(group), to: RaftKeys.groupEnd(group))
        batch.deleteRange(.raftState, from: RaftKeys.groupStart(group), to: RaftKeys.groupStart(PartitionID(group.rawValue + 1)))
    }
}

extension RaftLogStore {
    /// The groups with a recorded membership on this node, in order: the groups it holds.
    public func storedGroups() throws(StorageError) -> [PartitionID] {
        var groups: [PartitionID] = []
        var from: [UInt8] = []
        let end = [UInt8](repeating: 0xFF, count: 6)
        while true {
            let page = try database.scan(.raftState, from: from, to: end, limit: 256)
            for pair in page where pair.key.count == 5 && pair.key[4] == RaftKeys.StateField.membership.rawValue {
                if let raw = BigEndian.read(pair.key[...], at: 0, width: 4) { groups.append(PartitionID(UInt32(raw))) }
            }
            guard page.count == 256, let last = page.last else { return groups }
            from = last.key + [0]
        }
    }
}
