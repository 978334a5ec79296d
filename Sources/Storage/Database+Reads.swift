internal import CRocksDB

// The read paths shared by `Database` (latest state) and `ReadSnapshot` (a pinned snapshot).
extension Database {
    func read(_ family: ColumnFamily, _ key: [UInt8], snapshot: OpaquePointer?) throws(StorageError) -> [UInt8]? {
        let readOptions = Self.makeReadOptions(snapshot: snapshot)
        defer { rocksdb_readoptions_destroy(readOptions) }
        var length = 0
        let value = try withRocksDBError("get from \(family.name)") { errorText in
            key.withCBytes { keyBytes, keyLength in
                rocksdb_get_cf(handle, readOptions, familyHandle(family), keyBytes, keyLength, &length, errorText)
            }
        }
        return takeRocksDBBytes(value, count: length)
    }

    func scan(
        _ family: ColumnFamily, from lower: [UInt8], to upper: [UInt8], reverse: Bool, limit: Int,
        snapshot: OpaquePointer?
    ) throws(StorageError) -> [KeyValue] {
        precondition(limit >= 0, "scan limit must not be negative")
        var pairs: [KeyValue] = []
        guard limit > 0 else { return pairs }
        try visit(family, from: lower, to: upper, reverse: reverse, snapshot: snapshot) { key, value in
            pairs.append(KeyValue(key: key, value: value))
            return pairs.count < limit
        }
        return pairs
    }

    /// Calls `body` for each pair with `lower <= key < upper` in key order (or reverse) until it returns false.
    ///
    /// Both bounds are set on the iterator itself, so RocksDB never reads past them
    /// (range tombstones and other groups' keys beyond the bound cost nothing).
    func visit(
        _ family: ColumnFamily, from lower: [UInt8], to upper: [UInt8], reverse: Bool, snapshot: OpaquePointer?,
        _ body: (_ key: [UInt8], _ value: [UInt8]) -> Bool
    ) throws(StorageError) {
        guard lower.lexicographicallyPrecedes(upper) else { return }
        let readOptions = Self.makeReadOptions(snapshot: snapshot)
        defer { rocksdb_readoptions_destroy(readOptions) }
        lower.withCBytes { rocksdb_readoptions_set_iterate_lower_bound(readOptions, $0, $1) }
        upper.withCBytes { rocksdb_readoptions_set_iterate_upper_bound(readOptions, $0, $1) }
        let iterator = created(rocksdb_create_iterator_cf(handle, readOptions, familyHandle(family)), "iterator")
        defer { rocksdb_iter_destroy(iterator) }
        if reverse {
            rocksdb_iter_seek_to_last(iterator)
        } else {
            lower.withCBytes { rocksdb_iter_seek(iterator, $0, $1) }
        }
        while rocksdb_iter_valid(iterator) != 0 {
            var keyLength = 0
            var valueLength = 0
            let key = Array(UnsafeRawBufferPointer(start: rocksdb_iter_key(iterator, &keyLength), count: keyLength))
            let value = Array(UnsafeRawBufferPointer(start: rocksdb_iter_value(iterator, &valueLength), count: valueLength))
            guard body(key, value) else { break }
            if reverse { rocksdb_iter_prev(iterator) } else { rocksdb_iter_next(iterator) }
        }
        try withRocksDBError("scan \(family.name)") { errorText in rocksdb_iter_get_error(iterator, errorText) }
    }
}
