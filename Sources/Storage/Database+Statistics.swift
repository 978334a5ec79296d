internal import CRocksDB

extension Database {
    /// A RocksDB property of `family`, e.g. `rocksdb.stats` or `rocksdb.estimate-num-keys`;
    /// `nil` when RocksDB does not know the name.
    public func property(_ name: String, family: ColumnFamily) -> String? {
        guard let value = rocksdb_property_value_cf(handle, familyHandle(family), name) else { return nil }
        defer { rocksdb_free(value) }
        return String(cString: value)
    }

    /// A numeric RocksDB property of `family`, e.g. `rocksdb.estimate-num-keys`; `nil` when unknown.
    public func integerProperty(_ name: String, family: ColumnFamily) -> UInt64? {
        var value: UInt64 = 0
        guard rocksdb_property_int_cf(handle, familyHandle(family), name, &value) == 0 else { return nil }
        return value
    }

    /// About how many bytes the database holds: live SST files plus memtables, over all families.
    public var approximateSizeBytes: UInt64 {
        ColumnFamily.allCases.reduce(0) { total, family in
            total
                + (integerProperty("rocksdb.live-sst-files-size", family: family) ?? 0)
                + (integerProperty("rocksdb.cur-size-all-mem-tables", family: family) ?? 0)
        }
    }
}
