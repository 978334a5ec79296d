internal import CRocksDB

/// Operations on any column families, applied atomically by `Database.write(_:sync:)`.
///
/// A batch belongs to the `Database` that made it (it refers to that database's column
/// families) and keeps it alive. Not `Sendable`: one owner fills and writes it.
public final class WriteBatch {
    /// The database whose column families this batch names.
    public let database: Database
    /// `rocksdb_writebatch_t*`.
    let handle: OpaquePointer

    /// A new, empty batch for `database`.
    public init(database: Database) {
        self.database = database
        self.handle = created(rocksdb_writebatch_create(), "write batch")
    }

    deinit { rocksdb_writebatch_destroy(handle) }

    /// Sets `key` to `value` in `family`.
    public func put(_ family: ColumnFamily, _ key: [UInt8], _ value: [UInt8]) {
        key.withCBytes { keyBytes, keyLength in
            value.withCBytes { valueBytes, valueLength in
                rocksdb_writebatch_put_cf(
                    handle, database.familyHandle(family), keyBytes, keyLength, valueBytes, valueLength
                )
            }
        }
    }

    /// Removes `key` from `family`; removing an absent key is not an error.
    public func delete(_ family: ColumnFamily, _ key: [UInt8]) {
        key.withCBytes { rocksdb_writebatch_delete_cf(handle, database.familyHandle(family), $0, $1) }
    }

    /// Removes every key with `lower <= key < upper` from `family` with one range tombstone.
    public func deleteRange(_ family: ColumnFamily, from lower: [UInt8], to upper: [UInt8]) {
        lower.withCBytes { lowerBytes, lowerLength in
            upper.withCBytes { upperBytes, upperLength in
                rocksdb_writebatch_delete_range_cf(
                    handle, database.familyHandle(family), lowerBytes, lowerLength, upperBytes, upperLength
                )
            }
        }
    }

    /// Removes every operation, so the batch can be reused.
    public func clear() { rocksdb_writebatch_clear(handle) }

    /// The number of operations in the batch.
    public var count: Int { Int(rocksdb_writebatch_count(handle)) }

    /// The size of the batch's encoded form: keys, values and RocksDB's framing.
    public var byteSize: Int {
        var size = 0
        _ = rocksdb_writebatch_data(handle, &size)
        return size
    }
}
