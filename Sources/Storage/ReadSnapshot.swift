internal import CRocksDB

/// A consistent point-in-time view of a `Database`, made by `Database.makeSnapshot()`.
///
/// Reads through it see exactly the writes completed before it was made. Holding it
/// keeps old versions from being compacted away, so release it (drop the last reference)
/// when done. Keeps its database alive.
public final class ReadSnapshot: @unchecked Sendable {
    // Safety of `@unchecked Sendable`: both stored properties are `let`. A RocksDB snapshot is
    // an immutable sequence number that any number of threads may read through at once; it is
    // released only in `deinit`, when no thread holds a reference any more.

    /// The database this snapshot views.
    public let database: Database
    /// `const rocksdb_snapshot_t*`.
    private let handle: OpaquePointer

    init(database: Database, handle: OpaquePointer) {
        self.database = database
        self.handle = handle
    }

    deinit { rocksdb_release_snapshot(database.handle, handle) }

    /// The value under `key` in `family` as of the snapshot, or `nil`.
    public func get(_ family: ColumnFamily, _ key: [UInt8]) throws(StorageError) -> [UInt8]? {
        try database.read(family, key, snapshot: handle)
    }

    /// `Database.scan` as of the snapshot.
    public func scan(
        _ family: ColumnFamily, from lower: [UInt8], to upper: [UInt8], reverse: Bool = false, limit: Int
    ) throws(StorageError) -> [KeyValue] {
        try database.scan(family, from: lower, to: upper, reverse: reverse, limit: limit, snapshot: handle)
    }
}
