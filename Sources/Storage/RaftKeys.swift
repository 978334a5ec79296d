import QuadCore

/// The key layout of the `raft_log` and `raft_state` column families (docs/storage.md).
///
/// All integers are big-endian so that byte order is numeric order: one group's entries
/// are contiguous and sorted by index.
enum RaftKeys {
    /// Fields of a group in `raft_state`, the byte after the group.
    enum StateField: UInt8 {
        case hardState = 1
        case appliedIndex = 2
        case compactionMark = 3
        case membership = 4
        /// A snapshot whose rows are still being moved from staging into `data` (index, term).
        case snapshotInstall = 5
    }

    /// `raft_log` key: group u32 BE, index u64 BE (12 bytes).
    static func entry(_ group: PartitionID, _ index: LogIndex) -> [UInt8] {
        var key = groupStart(group)
        BigEndian.append(index.rawValue, to: &key)
        return key
    }

    /// The smallest key of `group` (the 4-byte group prefix): lower bound of its entries.
    static func groupStart(_ group: PartitionID) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(13)
        BigEndian.append(group.rawValue, to: &key)
        return key
    }

    /// A key above every entry key of `group` and below the next group's: the 12-byte
    /// key of index `UInt64.max` plus one byte (works for `UInt32.max` too, with no overflow).
    static func groupEnd(_ group: PartitionID) -> [UInt8] {
        entry(group, LogIndex(UInt64.max)) + [0]
    }

    /// The index of a `raft_log` key of `group`, or `nil` when the key is not one.
    static func index(ofEntryKey key: [UInt8], group: PartitionID) -> LogIndex? {
        guard key.count == 12, BigEndian.read(key[...], at: 0, width: 4) == UInt64(group.rawValue),
              let index = BigEndian.read(key[...], at: 4, width: 8) else { return nil }
        return LogIndex(index)
    }

    /// `raft_state` key: group u32 BE, field u8.
    static func state(_ group: PartitionID, _ field: StateField) -> [UInt8] {
        groupStart(group) + [field.rawValue]
    }
}
