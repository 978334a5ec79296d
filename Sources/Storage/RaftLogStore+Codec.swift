import QuadCore

// Value bodies inside `SealedValue` framing. All integers big-endian.
extension RaftLogStore {
    /// The stored size of an entry with `payloadBytes` of payload: what `entries(...maxBytes:)`
    /// counts against its bound, so a cache of the log can bound its reads identically.
    public static func storedEntryBytes(payloadBytes: Int) -> Int {
        SealedValue.overheadBytes + 9 + payloadBytes
    }

    /// Entry body: term u64, kind u8, payload.
    static func encodeEntry(_ entry: StoredEntry, key: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(9 + entry.payload.count)
        BigEndian.append(entry.term.rawValue, to: &body)
        body.append(entry.kind)
        body.append(contentsOf: entry.payload)
        return SealedValue.seal(key: key, body: body)
    }

    static func decodeEntry(key: [UInt8], value: [UInt8], group: PartitionID) throws(StorageError) -> StoredEntry {
        guard let index = RaftKeys.index(ofEntryKey: key, group: group) else {
            throw StorageError(code: "corrupt_entry", message: "group \(group): malformed raft_log key \(key)")
        }
        let body = try SealedValue.open(key: key, value: value, what: "group \(group) entry \(index)")
        guard body.count >= 9, let term = BigEndian.read(body, at: 0, width: 8) else {
            throw StorageError(code: "corrupt_entry", message: "group \(group) entry \(index): body of \(body.count) bytes")
        }
        let kind = body[body.startIndex + 8]
        return StoredEntry(index: index, term: Term(term), kind: kind, payload: Array(body.dropFirst(9)))
    }

    /// A sealed value holding fixed-width u64 fields.
    static func encodeWords(_ words: [UInt64], key: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        for word in words { BigEndian.append(word, to: &body) }
        return SealedValue.seal(key: key, body: body)
    }

    /// The `count` u64 fields of a sealed value, checked.
    /// With `prefixOnly`, the value may hold more fields than `count` (variable-length values).
    static func decodeWords(_ value: [UInt8], key: [UInt8], count: Int, what: String,
                            prefixOnly: Bool = false) throws(StorageError) -> [UInt64] {
        let body = try SealedValue.open(key: key, value: value, what: what)
        guard prefixOnly ? body.count >= count * 8 : body.count == count * 8 else {
            throw StorageError(code: "corrupt_entry", message: "\(what): \(body.count) bytes, expected \(count * 8)")
        }
        var words: [UInt64] = []
        for position in 0..<count {
            guard let word = BigEndian.read(body, at: position * 8, width: 8) else { break }
            words.append(word)
        }
        return words
    }
}
