import Foundation
import Node
import QuadCore
import Raft
import Storage
import Testing

/// The rows of a snapshot: chunking on the sender, staging on the receiver, and the install
/// that a crash interrupts and the next start finishes.
@Suite struct PartitionSnapshotTests {
    static func withDatabase(_ body: (Database) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quad-snap-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(try Database(path: directory))
    }

    static func put(_ database: Database, _ family: ColumnFamily, _ partition: PartitionID, _ rows: [(String, String)]) throws {
        let batch = database.makeWriteBatch()
        for (key, value) in rows {
            batch.put(family, PartitionRowReader.storedKey(partition, Array(key.utf8)), Array(value.utf8))
        }
        try database.write(batch, sync: false)
    }

    static func rows(_ database: Database, _ family: ColumnFamily, _ partition: PartitionID) throws -> [String: String] {
        let range = PartitionSnapshot.keyRange(partition)
        let pairs = try database.scan(family, from: range.lower, to: range.upper, limit: 100_000)
        return Dictionary(uniqueKeysWithValues: pairs.map {
            (String(decoding: $0.key.dropFirst(4), as: UTF8.self), String(decoding: $0.value, as: UTF8.self))
        })
    }

    /// Proves the cursor reads exactly one partition's rows, in bounded chunks, as of its pinned
    /// snapshot (a write after pinning is not in it), and staging them elsewhere reproduces them.
    @Test func rowsTravelInBoundedChunksAsOfTheSnapshot() throws {
        try Self.withDatabase { database in
            let partition = PartitionID(3)
            let value = String(repeating: "v", count: 3_000)
            let rows = (0..<1_000).map { (String(format: "k%05d", $0), value) }
            try Self.put(database, .data, partition, rows)
            try Self.put(database, .data, PartitionID(4), [("other", "x")])
            let cursor = SnapshotRowCursor(rows: database.makeSnapshot(), partition: partition)
            try Self.put(database, .data, partition, [("late", "not in the snapshot")])
            let staging = SnapshotStaging(database: database)
            var chunks = 0
            while let chunk = try cursor.nextChunk() {
                #expect(chunk.count <= PartitionSnapshot.chunkBytesMax + 4)
                try staging.stage(chunk, partition: PartitionID(9))
                chunks += 1
            }
            #expect(chunks >= 3, "3 MB of rows take several chunks, not one")
            #expect(try Self.rows(database, .snapshotStaging, PartitionID(9)) == Dictionary(uniqueKeysWithValues: rows))
        }
    }

    /// Proves a malformed chunk is refused, not half-staged.
    @Test func aMalformedChunkIsRefused() throws {
        try Self.withDatabase { database in
            let staging = SnapshotStaging(database: database)
            #expect(throws: DecodingError.self) { try staging.stage([0, 0, 0, 9, 1, 2], partition: PartitionID(1)) }
            let staged = try Self.rows(database, .snapshotStaging, PartitionID(1))
            #expect(staged.isEmpty)
        }
    }

    /// Proves an install that stopped after its synced record but before every staged row was
    /// moved in is finished when the group opens: the old rows are gone, the staged ones are in
    /// `data`, staging is empty and the record cleared.
    @Test func anInterruptedInstallIsFinishedOnTheNextStart() throws {
        try Self.withDatabase { database in
            let partition = PartitionID(2)
            try Self.put(database, .data, partition, [("old", "stale"), ("kept", "old value")])
            try Self.put(database, .data, PartitionID(1), [("neighbour", "untouched")])
            try Self.put(database, .snapshotStaging, partition, [("kept", "new value"), ("new", "row")])
            let store = RaftLogStore(database: database)
            let batch = database.makeWriteBatch()
            store.setSnapshotInstall(CompactionMark(index: LogIndex(40), term: Term(2)), group: partition, into: batch)
            store.resetLog(toSnapshotAt: LogIndex(40), term: Term(2), group: partition, into: batch)
            store.setAppliedIndex(LogIndex(40), group: partition, into: batch)
            store.setMembership(StoredMembership(voters: [NodeID(1), NodeID(2), NodeID(3)]), group: partition, into: batch)
            try database.write(batch, sync: true)

            let host = ReplicaHost(nodeID: NodeID(1), database: database)
            try host.openGroup(partition, members: [NodeID(1), NodeID(2), NodeID(3)], randomSeed: 1)
            #expect(try Self.rows(database, .data, partition) == ["kept": "new value", "new": "row"])
            #expect(try Self.rows(database, .data, PartitionID(1)) == ["neighbour": "untouched"])
            #expect(try Self.rows(database, .snapshotStaging, partition).isEmpty)
            #expect(try store.snapshotInstall(group: partition) == nil)
            #expect(host.appliedIndex(of: partition) == LogIndex(40))
            #expect(host.firstIndex(of: partition) == LogIndex(41))
        }
    }
}
