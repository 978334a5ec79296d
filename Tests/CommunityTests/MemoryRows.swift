import Community

/// A partition's rows in memory for tests: a dictionary plus a key order sorted on demand, so
/// `scan` honours lower-inclusive, upper-exclusive, reverse and limit like RocksDB does.
final class MemoryRows: RowReader {
    private(set) var values: [[UInt8]: [UInt8]]
    private var sortedKeysCache: [[UInt8]]?

    init(_ values: [[UInt8]: [UInt8]] = [:]) {
        self.values = values
    }

    /// Writes what applying a command produced, as the node does after apply.
    func write(_ changes: ChangeSet) {
        for (key, value) in changes.writes {
            if let value {
                if values.updateValue(value, forKey: key) == nil { sortedKeysCache = nil }
            } else if values.removeValue(forKey: key) != nil {
                sortedKeysCache = nil
            }
        }
    }

    func get(_ key: [UInt8]) -> [UInt8]? { values[key] }

    func scan(from lower: [UInt8], to upper: [UInt8], reverse: Bool, limit: Int) -> [RowPair] {
        let keys = sortedKeys()
        let start = firstIndex(notBefore: lower, in: keys)
        let end = firstIndex(notBefore: upper, in: keys)
        guard start < end, limit > 0 else { return [] }
        let range = keys[start..<end]
        let chosen = reverse ? Array(range.reversed().prefix(limit)) : Array(range.prefix(limit))
        return chosen.compactMap { key in values[key].map { RowPair(key: key, value: $0) } }
    }

    /// Every row whose key starts with `prefix`, in key order.
    func keys(withPrefix prefix: [UInt8]) -> [[UInt8]] {
        sortedKeys().filter { $0.starts(with: prefix) }
    }

    private func sortedKeys() -> [[UInt8]] {
        if let sortedKeysCache { return sortedKeysCache }
        let sorted = values.keys.sorted { $0.lexicographicallyPrecedes($1) }
        sortedKeysCache = sorted
        return sorted
    }

    /// Binary search: the position of the first key >= `bound`.
    private func firstIndex(notBefore bound: [UInt8], in keys: [[UInt8]]) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle].lexicographicallyPrecedes(bound) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
