public import QuadCore
public import Storage
import Synchronization

/// A partition's rows as they travel in a snapshot: read from a pinned RocksDB snapshot in
/// bounded chunks on the leader, staged chunk by chunk on the receiver (`snapshot_staging`),
/// and moved into `data` only once the Raft core accepted the snapshot.
///
/// A chunk is a u32 row count, then per row its key (without the partition prefix) and value,
/// each a u32 length and bytes. Keys are kept relative so a chunk names no partition: the
/// stream's header does.
public enum PartitionSnapshot {
    /// Row bytes per chunk: 1 MiB, a quarter of a transport frame, so a chunk always fits one.
    public static let chunkBytesMax = 1 << 20
    /// Rows read per RocksDB scan while filling a chunk.
    static let rowsPerScan = 256
    /// Rows moved from staging into `data` per write batch.
    static let rowsPerMoveBatch = 1_024
    /// Most rows a chunk may claim; a larger count is corrupt.
    static let rowsPerChunkMax = chunkBytesMax

    /// `[lower, upper)` of `partition`'s keys in `data` and `snapshot_staging`.
    public static func keyRange(_ partition: PartitionID) -> (lower: [UInt8], upper: [UInt8]) {
        precondition(partition.rawValue < UInt32.max, "partition \(partition) has no successor")
        return (PartitionRowReader.storedKey(partition, []), PartitionRowReader.storedKey(PartitionID(partition.rawValue + 1), []))
    }

    /// Encodes rows (stored keys of one partition) as one chunk.
    static func encodeChunk(_ rows: [KeyValue]) -> [UInt8] {
        var writer = BinaryWriter(capacity: rows.reduce(4) { $0 + 8 + $1.key.count - 4 + $1.value.count })
        writer.write(UInt32(rows.count))
        for row in rows {
            writer.writeBytes(Array(row.key.dropFirst(4)))
            writer.writeBytes(row.value)
        }
        return writer.bytes
    }

    /// Decodes a chunk into (relative key, value) pairs; throws on anything malformed.
    static func decodeChunk(_ bytes: [UInt8]) throws(DecodingError) -> [(key: [UInt8], value: [UInt8])] {
        var reader = BinaryReader(bytes)
        let count = Int(try reader.readUInt32())
        guard count <= rowsPerChunkMax, count <= reader.remainingCount / 8 else {
            throw DecodingError("a snapshot chunk of \(bytes.count) bytes cannot hold \(count) rows")
        }
        var rows: [(key: [UInt8], value: [UInt8])] = []
        rows.reserveCapacity(count)
        for _ in 0..<count { rows.append((try reader.readBytes(), try reader.readBytes())) }
        try reader.expectEnd()
        return rows
    }
}

/// Reads one partition's rows from a pinned RocksDB snapshot, one chunk per call, for the one
/// task that streams them to a follower.
public final class SnapshotRowCursor: Sendable {
    let rows: ReadSnapshot
    let partition: PartitionID
    /// The lower bound of the next scan; `nil` once every row was read.
    private let position: Mutex<[UInt8]?>

    /// A cursor at the first row of `partition` as `rows` saw it.
    public init(rows: ReadSnapshot, partition: PartitionID) {
        self.rows = rows
        self.partition = partition
        position = Mutex(PartitionSnapshot.keyRange(partition).lower)
    }

    /// The next chunk, or `nil` when every row was sent: rows up to `chunkBytesMax` (a single
    /// larger row travels alone). An empty partition still yields one empty chunk.
    public func nextChunk() throws(StorageError) -> [UInt8]? {
        try position.withLock { (position: inout [UInt8]?) throws(StorageError) -> [UInt8]? in
            guard let lower = position else { return nil }
            let upper = PartitionSnapshot.keyRange(partition).upper
            var chunk: [KeyValue] = []
            var bytes = 0
            var next: [UInt8]? = lower
            scanning: while let from = next {
                let page = try rows.scan(.data, from: from, to: upper, limit: PartitionSnapshot.rowsPerScan)
                next = page.count < PartitionSnapshot.rowsPerScan ? nil : page[page.count - 1].key + [0]
                for row in page {
                    let rowBytes = 8 + row.key.count + row.value.count
                    if !chunk.isEmpty, bytes + rowBytes > PartitionSnapshot.chunkBytesMax {
                        next = row.key  // the next chunk starts with this row
                        break scanning
                    }
                    chunk.append(row)
                    bytes += rowBytes
                }
            }
            position = next
            return PartitionSnapshot.encodeChunk(chunk)
        }
    }
}

/// The receiving side: a partition's staged rows, and moving them into `data`.
public struct SnapshotStaging: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Drops whatever an earlier, unfinished stream staged for `partition`.
    public func clear(_ partition: PartitionID) throws(StorageError) {
        let batch = database.makeWriteBatch()
        let range = PartitionSnapshot.keyRange(partition)
        batch.deleteRange(.snapshotStaging, from: range.lower, to: range.upper)
        try database.write(batch, sync: false)
    }

    /// Stages one chunk's rows (not synced: the install that uses them is, and RocksDB's WAL
    /// is ordered, so a durable install implies durable staging). Throws on a malformed chunk.
    public func stage(_ chunk: [UInt8], partition: PartitionID) throws {
        let rows = try PartitionSnapshot.decodeChunk(chunk)
        let batch = database.makeWriteBatch()
        for row in rows { batch.put(.snapshotStaging, PartitionRowReader.storedKey(partition, row.key), row.value) }
        try database.write(batch, sync: false)
    }

    /// Replaces `partition`'s rows in `data` with the staged ones, in bounded batches, then adds
    /// the removal of the staged rows to `finish` (which the caller writes with its own records).
    /// Idempotent, so a crash part-way is mended by running it again.
    func moveIn(_ partition: PartitionID, finish: WriteBatch) throws(StorageError) {
        let range = PartitionSnapshot.keyRange(partition)
        let clearing = database.makeWriteBatch()
        clearing.deleteRange(.data, from: range.lower, to: range.upper)
        try database.write(clearing, sync: false)
        var from = range.lower
        while true {
            let rows = try database.scan(.snapshotStaging, from: from, to: range.upper, limit: PartitionSnapshot.rowsPerMoveBatch)
            guard let last = rows.last else { break }
            let batch = database.makeWriteBatch()
            for row in rows { batch.put(.data, row.key, row.value) }
            try database.write(batch, sync: false)
            guard rows.count == PartitionSnapshot.rowsPerMoveBatch else { break }
            from = last.key + [0]
        }
        finish.deleteRange(.snapshotStaging, from: range.lower, to: range.upper)
    }
}
