/// The column families of a Quad node's RocksDB, one per kind of data (see docs/storage.md).
///
/// RocksDB also requires a `default` family; Quad opens it and never writes to it.
public enum ColumnFamily: CaseIterable, Sendable {
    /// Raft log entries: group u32 BE, index u64 BE.
    case raftLog
    /// Raft hard state, applied index and compaction mark: group u32 BE, field u8.
    case raftState
    /// Rows of the community state machine: partition u32 BE, table u8, key parts.
    case data
    /// Node-level facts: format version, node identity.
    case meta
    /// A partition's rows as a snapshot from its leader delivers them, before they replace the
    /// partition's rows in `data`: the same keys (partition u32 BE, table u8, key parts).
    case snapshotStaging

    /// The RocksDB column family name, stable on disk.
    public var name: String {
        switch self {
        case .raftLog: "raft_log"
        case .raftState: "raft_state"
        case .data: "data"
        case .meta: "meta"
        case .snapshotStaging: "snapshot_staging"
        }
    }

    /// Position of this family's handle in `Database`'s handle array (after `default` at 0).
    var handleIndex: Int {
        switch self {
        case .raftLog: 1
        case .raftState: 2
        case .data: 3
        case .meta: 4
        case .snapshotStaging: 5
        }
    }
}
