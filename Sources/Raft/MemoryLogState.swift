import QuadCore

/// An in-memory Raft log: a snapshot, the entries after it, and the hard state. A value type,
/// so a simulated disk can keep a durable copy and a visible copy and drop the difference
/// on a crash. `MemoryStorage` wraps one for tests and benchmarks.
public struct MemoryLogState: Sendable {
    /// The persisted hard state.
    public var hardState = HardState()
    /// The latest snapshot (index 0 until one is taken or received).
    public private(set) var snapshot: Snapshot
    /// Entries after the snapshot, contiguous.
    public private(set) var entries: [Entry] = []

    /// An empty log whose configuration is `configuration`.
    public init(configuration: ConfigurationState) {
        snapshot = Snapshot(metadata: SnapshotMetadata(index: .zero, term: .zero, configuration: configuration))
    }

    /// The first index held.
    public var firstIndex: LogIndex { snapshot.metadata.index.next }
    /// The last index held.
    public var lastIndex: LogIndex { snapshot.metadata.index.advanced(by: entries.count) }

    /// The term at `index`, from `firstIndex - 1` through `lastIndex`.
    public func term(at index: LogIndex) throws(RaftError) -> Term {
        let base = snapshot.metadata.index
        if index < base { throw RaftError(code: .compacted, message: "index \(index) is before snapshot \(base)") }
        if index == base { return snapshot.metadata.term }
        if index > lastIndex { throw RaftError(code: .unavailable, message: "index \(index) is after last \(lastIndex)") }
        return entries[base.distance(to: index) - 1].term
    }

    /// Entries `lowerBound..<upperBound` within `bytesMax` (at least one).
    public func entries(from lowerBound: LogIndex, upTo upperBound: LogIndex, bytesMax: Int) throws(RaftError) -> [Entry] {
        let base = snapshot.metadata.index
        if lowerBound <= base { throw RaftError(code: .compacted, message: "index \(lowerBound) is compacted") }
        if upperBound > lastIndex.next { throw RaftError(code: .unavailable, message: "index \(upperBound) is beyond the log") }
        guard lowerBound < upperBound else { return [] }
        let start = base.distance(to: lowerBound) - 1
        let end = base.distance(to: upperBound) - 1
        return Array(entries[start..<end]).prefix(bytesMax: bytesMax)
    }

    /// Appends `newEntries`, replacing any held entries from their first index on. Entries
    /// already covered by the snapshot are skipped.
    public mutating func append(_ newEntries: [Entry]) {
        guard let first = newEntries.first else { return }
        let base = snapshot.metadata.index
        let usable = newEntries.filter { $0.index > base }
        guard let firstUsable = usable.first else { return }
        precondition(firstUsable.index <= lastIndex.next, "append at \(first.index) leaves a gap after \(lastIndex)")
        entries.removeSubrange((base.distance(to: firstUsable.index) - 1)...)
        entries.append(contentsOf: usable)
    }

    /// Replaces the whole log with `newSnapshot` (a snapshot received from the leader).
    public mutating func apply(snapshot newSnapshot: Snapshot) {
        if newSnapshot.metadata.index <= snapshot.metadata.index { return }
        snapshot = newSnapshot
        entries = []
    }

    /// Records a snapshot of the local state machine at `index` (which must be held) and drops
    /// the entries it covers.
    public mutating func createSnapshot(at index: LogIndex, configuration: ConfigurationState, data: [UInt8]) throws(RaftError) {
        guard index > snapshot.metadata.index else { return }
        let term = try term(at: index)
        let dropCount = snapshot.metadata.index.distance(to: index)
        entries.removeFirst(dropCount)
        snapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, configuration: configuration), data: data)
    }
}

/// A storage whose log is a `MemoryLogState`: it gets every `RaftStorage` requirement from
/// `logState`. `MemoryStorage` and the simulator's disk are both this.
public protocol MemoryLogStorage: RaftStorage {
    /// The log as reads should see it.
    var logState: MemoryLogState { get }
}

extension MemoryLogStorage {
    public func initialState() -> (hardState: HardState, configuration: ConfigurationState) {
        (logState.hardState, logState.snapshot.metadata.configuration)
    }
    public func entries(from lowerBound: LogIndex, upTo upperBound: LogIndex, bytesMax: Int) throws(RaftError) -> [Entry] {
        try logState.entries(from: lowerBound, upTo: upperBound, bytesMax: bytesMax)
    }
    public func term(at index: LogIndex) throws(RaftError) -> Term { try logState.term(at: index) }
    public func firstIndex() -> LogIndex { logState.firstIndex }
    public func lastIndex() -> LogIndex { logState.lastIndex }
    public func snapshot() throws(RaftError) -> Snapshot { logState.snapshot }
}

/// A `RaftStorage` held in memory, for tests, benchmarks and single-process tools.
public final class MemoryStorage: MemoryLogStorage {
    /// The log, hard state and snapshot.
    public var state: MemoryLogState

    /// An empty storage whose configuration is `configuration`.
    public init(configuration: ConfigurationState) {
        state = MemoryLogState(configuration: configuration)
    }

    public var logState: MemoryLogState { state }

    /// Persists what a `Ready` asks for (hard state, snapshot, entries), in that order.
    public func persist(_ ready: Ready) {
        if let hardState = ready.hardState { state.hardState = hardState }
        if let snapshot = ready.snapshot { state.apply(snapshot: snapshot) }
        state.append(ready.entries)
    }
}
