public import QuadCore

// Node-level facts in the `meta` column family: the on-disk format version and the node's identity.
extension Database {
    /// The on-disk format this build writes and understands.
    ///
    /// Version 1 is the key and value layout of docs/storage.md. It is written on the first
    /// open of a directory and checked on every later one: a directory with a larger version
    /// was written by a newer Quad and is refused (`unsupported_format`) rather than misread.
    /// Whoever bumps it adds the migration from the previous version.
    public static let metaFormatVersion: UInt32 = 1

    static let formatVersionKey = Array("format_version".utf8)
    static let nodeIdentityKey = Array("node_id".utf8)

    /// Stamps a new directory with `metaFormatVersion`, or checks the stamp of an existing one.
    func checkFormatVersion() throws(StorageError) {
        guard let stored = try get(.meta, Self.formatVersionKey) else {
            var value: [UInt8] = []
            BigEndian.append(Self.metaFormatVersion, to: &value)
            let batch = makeWriteBatch()
            batch.put(.meta, Self.formatVersionKey, value)
            try write(batch, sync: true)
            return
        }
        guard stored.count == 4, let version = BigEndian.read(stored[...], at: 0, width: 4), version > 0 else {
            throw StorageError(code: "corruption", message: "\(path): meta format_version is not a valid u32: \(stored)")
        }
        guard version <= UInt64(Self.metaFormatVersion) else {
            throw StorageError(
                code: "unsupported_format",
                message: "\(path) has storage format version \(version), but this build understands up to "
                    + "\(Self.metaFormatVersion); run a newer Quad on this directory"
            )
        }
    }

    /// The node identity recorded in this directory, or `nil` before `recordNodeIdentity`.
    public func nodeIdentity() throws(StorageError) -> NodeID? {
        guard let stored = try get(.meta, Self.nodeIdentityKey) else { return nil }
        guard stored.count == 8, let raw = BigEndian.read(stored[...], at: 0, width: 8) else {
            throw StorageError(code: "corruption", message: "\(path): meta node_id is not a valid u64: \(stored)")
        }
        return NodeID(raw)
    }

    /// Records (synced) which node owns this directory; recording the same identity again is a no-op.
    ///
    /// Throws `identity_mismatch` when the directory already belongs to another node: starting
    /// node 2 on node 1's data would make one replica vote twice.
    public func recordNodeIdentity(_ node: NodeID) throws(StorageError) {
        precondition(node != .none, "NodeID 0 is reserved for none")
        if let existing = try nodeIdentity() {
            guard existing == node else {
                throw StorageError(
                    code: "identity_mismatch", message: "\(path) belongs to node \(existing), not \(node)"
                )
            }
            return
        }
        var value: [UInt8] = []
        BigEndian.append(node.rawValue, to: &value)
        let batch = makeWriteBatch()
        batch.put(.meta, Self.nodeIdentityKey, value)
        try write(batch, sync: true)
    }
}
