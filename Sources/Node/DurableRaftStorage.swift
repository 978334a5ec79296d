public import QuadCore
public import Raft
public import Storage

/// One Raft group's stable log on the node's RocksDB: the `RaftStorage` the core reads,
/// and the writes a `Ready` asks for, added to the shell's group-commit batch.
///
/// Owned by the one loop that drives the group (not `Sendable`): the loop calls
/// `persist(_:into:)`, writes the batch (synced when `Ready.mustSync`), then `didPersist(_:)`.
/// First and last index are cached because the core asks for them on every step, and so is
/// the newest stretch of the log: nearly every read the core makes (entries to send to
/// followers, committed entries to apply, the term of the entry before an append) is of
/// entries persisted moments ago, which memory answers without a RocksDB read and decode.
public final class DurableRaftStorage: RaftStorage {
    public let group: PartitionID
    let store: RaftLogStore
    private var hardState: HardState
    private var membership: ConfigurationState
    private var compaction: CompactionMark?
    private var last: LogIndex
    /// The newest persisted entries, contiguous and ending at `last` (or empty).
    private var tail: [Entry] = []
    private var tailPayloadBytes = 0

    /// Entries kept in memory per group: a few seconds of writes at full load.
    static let tailEntriesMax = 4096
    /// Payload bytes kept in memory per group.
    static let tailBytesMax = 8 << 20

    /// Opens `group`'s stored state. A group never written starts empty with `bootstrap`
    /// as its members (the caller persists it with `bootstrap(_:into:)`).
    public init(store: RaftLogStore, group: PartitionID) throws(StorageError) {
        self.group = group
        self.store = store
        let stored = try store.hardState(group: group)
        hardState = HardState(term: stored?.term ?? .zero, vote: stored?.vote ?? .none, commit: stored?.commit ?? .zero)
        let members = try store.membership(group: group)
        membership = ConfigurationState(voters: members?.voters ?? [], learners: members?.learners ?? [])
        compaction = try store.compactionMark(group: group)
        last = try store.lastIndex(group: group)
    }

    /// Whether the group has never been configured on this node.
    public var isNew: Bool { membership.voters.isEmpty && membership.learners.isEmpty && last == .zero }

    /// Records the group's first members (cluster bootstrap) in `batch`.
    public func bootstrap(_ configuration: ConfigurationState, into batch: WriteBatch) {
        membership = configuration
        storeMembership(configuration, into: batch)
    }

    private func storeMembership(_ configuration: ConfigurationState, into batch: WriteBatch) {
        store.setMembership(StoredMembership(voters: configuration.voters, learners: configuration.learners),
                            group: group, into: batch)
    }

    // MARK: RaftStorage

    public func initialState() -> (hardState: HardState, configuration: ConfigurationState) {
        (hardState, membership)
    }

    public func entries(from lowerBound: LogIndex, upTo upperBound: LogIndex, bytesMax: Int) throws(RaftError)
        -> [Entry] {
        guard lowerBound < upperBound else { return [] }
        guard lowerBound >= firstIndex() else { throw RaftError(code: .compacted, message: "\(group) below \(firstIndex())") }
        guard upperBound <= last.next else {
            throw RaftError(code: .unavailable, message: "\(group) has entries up to \(last), asked \(upperBound)")
        }
        if let cached = cachedEntries(from: lowerBound, upTo: upperBound, bytesMax: bytesMax) { return cached }
        let stored: [StoredEntry]
        do {
            stored = try store.entries(group: group, from: lowerBound, to: upperBound, maxBytes: bytesMax)
        } catch {
            // A corrupt or missing entry is not something the core can route around: stop.
            preconditionFailure("\(group): reading the log failed: \(error)")
        }
        return stored.map { entry in
            Entry(term: entry.term, index: entry.index,
                  kind: entry.kind == StoredEntry.kindConfigurationChange ? .configurationChange : .normal,
                  payload: entry.payload)
        }
    }

    public func term(at index: LogIndex) throws(RaftError) -> Term {
        let snapshotIndex = compaction?.index ?? .zero
        if index == snapshotIndex { return compaction?.term ?? .zero }
        guard index > snapshotIndex else { throw RaftError(code: .compacted, message: "\(group) compacted past \(index)") }
        guard index <= last else { throw RaftError(code: .unavailable, message: "\(group) has no entry \(index)") }
        if let first = tail.first?.index, index >= first { return tail[Int(index.rawValue - first.rawValue)].term }
        do {
            guard let term = try store.term(at: index, group: group) else {
                throw RaftError(code: .unavailable, message: "\(group) has no entry \(index)")
            }
            return term
        } catch let error as RaftError {
            throw error
        } catch {
            preconditionFailure("\(group): reading the log failed: \(error)")
        }
    }

    public func firstIndex() -> LogIndex { (compaction?.index ?? .zero).next }
    public func lastIndex() -> LogIndex { last }

    /// The snapshot to send a follower the compacted log cannot catch up: the one prepared at
    /// the end of a round, while it still joins the log. Otherwise asks the host for one
    /// (`wantsSnapshot`) and tells the core to try again later, as etcd's storage does.
    public func snapshot() throws(RaftError) -> Snapshot {
        guard let compaction else {
            // Never compacted: every follower can be caught up from the log.
            return Snapshot(metadata: SnapshotMetadata(index: .zero, term: .zero, configuration: membership))
        }
        if let prepared, prepared.metadata.index >= compaction.index { return Snapshot(metadata: prepared.metadata) }
        wantsSnapshot = true
        throw RaftError(code: .snapshotTemporarilyUnavailable, message: "\(group): a snapshot is being prepared")
    }

    // MARK: Snapshots and compaction

    /// Whether the core asked for a snapshot that is not prepared yet.
    private(set) var wantsSnapshot = false
    /// The newest snapshot prepared for followers: its position and the rows as of it.
    private var prepared: (metadata: SnapshotMetadata, rows: ReadSnapshot)?

    /// Prepares a snapshot of the group as applied up to `appliedIndex`, with `rows` pinned at
    /// that point. Call only between rounds, when rows, applied index and membership agree.
    func prepareSnapshot(appliedIndex: LogIndex, rows: ReadSnapshot) throws(RaftError) {
        wantsSnapshot = false
        let metadata = SnapshotMetadata(index: appliedIndex, term: try term(at: appliedIndex), configuration: membership)
        prepared = (metadata, rows)
    }

    /// The pinned rows of the prepared snapshot at `index`, if it is still the prepared one.
    func snapshotRows(at index: LogIndex) -> ReadSnapshot? {
        guard let prepared, prepared.metadata.index == index else { return nil }
        return prepared.rows
    }

    /// The last compacted index (`.zero` when never compacted).
    var compactedIndex: LogIndex { compaction?.index ?? .zero }

    /// Removes the entries up to and including `index` (applied ones only) in `batch`.
    func compact(upTo index: LogIndex, into batch: WriteBatch) throws(RaftError) {
        guard index > compactedIndex, index <= last else { return }
        let mark = CompactionMark(index: index, term: try term(at: index))
        store.compact(upTo: mark.index, term: mark.term, group: group, into: batch)
        compaction = mark
        if let prepared, prepared.metadata.index < mark.index { self.prepared = nil }
    }

    // MARK: Writes

    /// Adds what `ready` asks to persist (hard state and entries, replacing any conflicting
    /// suffix) to `batch`. Call `didPersist(_:)` once the batch is written.
    public func persist(_ ready: Ready, into batch: WriteBatch) {
        if let snapshot = ready.snapshot {
            let metadata = snapshot.metadata
            store.resetLog(toSnapshotAt: metadata.index, term: metadata.term, group: group, into: batch)
            storeMembership(metadata.configuration, into: batch)
        }
        if let first = ready.entries.first {
            if first.index <= last { store.truncateSuffix(from: first.index, group: group, into: batch) }
            store.appendEntries(ready.entries.map { entry in
                StoredEntry(index: entry.index, term: entry.term,
                            kind: entry.kind == .configurationChange ? StoredEntry.kindConfigurationChange
                                : StoredEntry.kindNormal,
                            payload: entry.payload)
            }, group: group, into: batch)
        }
        if let state = ready.hardState {
            store.setHardState(StoredHardState(term: state.term, vote: state.vote, commit: state.commit),
                               group: group, into: batch)
        }
    }

    /// Updates the cached positions and entries after the batch holding `ready` was written.
    public func didPersist(_ ready: Ready) {
        if let snapshot = ready.snapshot {
            let metadata = snapshot.metadata
            compaction = CompactionMark(index: metadata.index, term: metadata.term)
            membership = metadata.configuration
            last = metadata.index
            tail.removeAll()
            tailPayloadBytes = 0
            prepared = nil
        }
        if let lastEntry = ready.entries.last {
            remember(ready.entries)
            last = lastEntry.index
        }
        if let state = ready.hardState { hardState = state }
    }

    /// Adds persisted entries to the tail, first dropping any cached suffix they replace, then
    /// trims the oldest beyond the bounds (in chunks, so trimming costs O(1) per entry).
    private func remember(_ entries: [Entry]) {
        guard let first = entries.first else { return }
        if let tailFirst = tail.first?.index {
            if first.index <= tailFirst || first.index > last.next {
                tail.removeAll(keepingCapacity: true)
                tailPayloadBytes = 0
            } else if first.index <= last {
                let keep = Int(first.index.rawValue - tailFirst.rawValue)
                for entry in tail[keep...] { tailPayloadBytes -= entry.payload.count }
                tail.removeSubrange(keep...)
            }
        }
        tail.append(contentsOf: entries)
        for entry in entries { tailPayloadBytes += entry.payload.count }
        if tail.count > 2 * Self.tailEntriesMax || tailPayloadBytes > Self.tailBytesMax {
            var drop = max(0, tail.count - Self.tailEntriesMax)
            var bytes = tailPayloadBytes
            for entry in tail[..<drop] { bytes -= entry.payload.count }
            while drop < tail.count - 1, bytes > Self.tailBytesMax / 2 {
                bytes -= tail[drop].payload.count
                drop += 1
            }
            tail.removeFirst(drop)
            tailPayloadBytes = bytes
        }
    }

    /// `[lowerBound, upperBound)` from the tail when it holds all of it, bounded exactly like a
    /// stored read: at least one entry, then while the stored sizes fit `bytesMax`.
    private func cachedEntries(from lowerBound: LogIndex, upTo upperBound: LogIndex, bytesMax: Int) -> [Entry]? {
        guard let first = tail.first?.index, lowerBound >= first else { return nil }
        let start = Int(lowerBound.rawValue - first.rawValue)
        let end = Int(upperBound.rawValue - first.rawValue)
        var bytes = 0
        var stop = start
        while stop < end {
            bytes += RaftLogStore.storedEntryBytes(payloadBytes: tail[stop].payload.count)
            if stop > start && bytes > bytesMax { break }
            stop += 1
            if bytes >= bytesMax { break }
        }
        return Array(tail[start..<stop])
    }

    /// Records a configuration the group applied, so a restart knows its members.
    public func recordMembership(_ configuration: ConfigurationState, into batch: WriteBatch) {
        bootstrap(configuration, into: batch)
    }
}
