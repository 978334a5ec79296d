import QuadCore

/// The stable log the shell provides. The core only reads it; the shell writes it while
/// handling a `Ready` (and compacts it when it takes snapshots).
///
/// Indices: the log holds entries `firstIndex()...lastIndex()`; the entry just before
/// `firstIndex()` is described by the latest snapshot, whose term `term(at:)` must return.
public protocol RaftStorage: AnyObject {
    /// The persisted hard state and the configuration of the latest snapshot.
    func initialState() -> (hardState: HardState, configuration: ConfigurationState)
    /// Entries in `lowerBound..<upperBound`, stopping early past `bytesMax` (at least one entry).
    func entries(from lowerBound: LogIndex, upTo upperBound: LogIndex, bytesMax: Int) throws(RaftError) -> [Entry]
    /// The term of the entry at `index`, for `firstIndex() - 1 ... lastIndex()`.
    func term(at index: LogIndex) throws(RaftError) -> Term
    /// The index of the first entry still held (the snapshot's index plus one).
    func firstIndex() -> LogIndex
    /// The index of the last entry held (the snapshot's index when the log is empty).
    func lastIndex() -> LogIndex
    /// The latest snapshot; may throw `.snapshotTemporarilyUnavailable`.
    func snapshot() throws(RaftError) -> Snapshot
}
