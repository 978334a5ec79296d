/// Read access to one partition's community rows; the node implements it over RocksDB,
/// tests over a sorted in-memory map. Keys exclude the partition prefix.
public protocol RowReader {
    /// The value at `key`, or nil.
    func get(_ key: [UInt8]) throws -> [UInt8]?
    /// Up to `limit` pairs with `lower <= key < upper`, ascending, or descending when `reverse`.
    func scan(from lower: [UInt8], to upper: [UInt8], reverse: Bool, limit: Int) throws -> [RowPair]
}

/// One key and its value.
public struct RowPair: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]
    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

/// Writes produced by applying commands, in order; `nil` deletes. Reading through
/// `OverlayReader` sees them on top of the stored rows, so a batch of commands
/// applied together behaves exactly like the same commands applied one by one.
public struct ChangeSet: Sendable {
    /// Latest value per key (nil = deleted), the form the node writes to its batch.
    public private(set) var writes: [[UInt8]: [UInt8]?] = [:]

    public init() {}

    public var isEmpty: Bool { writes.isEmpty }

    mutating func put(_ key: [UInt8], _ value: [UInt8]) { writes[key] = .some(value) }
    mutating func delete(_ key: [UInt8]) { writes[key] = .some(nil) }

    /// Merges a later change set on top of this one.
    public mutating func merge(_ later: ChangeSet) {
        for (key, value) in later.writes { writes[key] = value }
    }
}

/// Stored rows with pending changes on top.
public struct OverlayReader<Base: RowReader>: RowReader {
    public let base: Base
    public let changes: ChangeSet

    public init(base: Base, changes: ChangeSet) {
        self.base = base
        self.changes = changes
    }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        if let pending = changes.writes[key] { return pending }
        return try base.get(key)
    }

    public func scan(from lower: [UInt8], to upper: [UInt8], reverse: Bool, limit: Int) throws -> [RowPair] {
        let pending = changes.writes.filter { key, _ in
            key.lexicographicallyPrecedes(upper) && !key.lexicographicallyPrecedes(lower)
        }
        if pending.isEmpty { return try base.scan(from: lower, to: upper, reverse: reverse, limit: limit) }
        // Each pending key can hide at most one stored pair, so this many stored pairs suffice.
        let stored = try base.scan(from: lower, to: upper, reverse: reverse, limit: limit + pending.count)
        var merged: [[UInt8]: [UInt8]] = [:]
        for pair in stored { merged[pair.key] = pair.value }
        for (key, value) in pending { merged[key] = value }
        let ordered = merged.keys.sorted { reverse ? $1.lexicographicallyPrecedes($0) : $0.lexicographicallyPrecedes($1) }
        return ordered.prefix(limit).compactMap { key in merged[key].map { RowPair(key: key, value: $0) } }
    }
}
