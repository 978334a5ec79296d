import Foundation
import Node
import QuadCore
@testable import Raft
import Storage
import Testing

@Suite struct DurableRaftStorageTests {
    /// Persists `entries` the way a shell does: into a batch, written with fsync, then `didPersist`.
    func persist(_ entries: [Entry], to storage: DurableRaftStorage, database: Database) throws {
        let ready = Ready(softState: nil, hardState: nil, entries: entries, snapshot: nil, committedEntries: [],
                          messages: [], readStates: [], mustSync: true)
        let batch = database.makeWriteBatch()
        storage.persist(ready, into: batch)
        try database.write(batch, sync: true)
        storage.didPersist(ready)
    }

    func entries(_ range: ClosedRange<UInt64>, term: UInt64, bytes: Int = 40) -> [Entry] {
        range.map { Entry(term: Term(term), index: LogIndex($0), payload: Array(repeating: UInt8($0 % 251), count: bytes)) }
    }

    /// Proves the in-memory tail answers exactly what RocksDB holds (read through a second storage
    /// over the same database, whose tail is empty): after appends, after a conflicting suffix is
    /// replaced, across the tail's trimmed edge, and under the same byte bounds.
    @Test func theTailAgreesWithTheStoredLog() throws {
        let directory = NSTemporaryDirectory() + "quad-tail-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try Database(path: directory)
        let store = RaftLogStore(database: database)
        let storage = try DurableRaftStorage(store: store, group: PartitionID(3))

        func agree(_ lower: UInt64, _ upper: UInt64, bytesMax: Int = .max) throws {
            let fresh = try DurableRaftStorage(store: store, group: PartitionID(3))
            #expect(fresh.lastIndex() == storage.lastIndex())
            let cached = try storage.entries(from: LogIndex(lower), upTo: LogIndex(upper), bytesMax: bytesMax)
            let stored = try fresh.entries(from: LogIndex(lower), upTo: LogIndex(upper), bytesMax: bytesMax)
            #expect(cached.first?.index == stored.first?.index && cached.count == stored.count,
                    "[\(lower), \(upper)) bytesMax \(bytesMax): \(cached.count) cached, \(stored.count) stored")
            #expect(cached == stored, "[\(lower), \(upper)) bytesMax \(bytesMax)")
            for index in lower..<upper {
                #expect(try storage.term(at: LogIndex(index)) == fresh.term(at: LogIndex(index)))
            }
        }

        try persist(entries(1...10, term: 1), to: storage, database: database)
        try agree(1, 11)
        try agree(3, 9, bytesMax: 100)
        try agree(3, 9, bytesMax: 1)
        // A new leader's entries replace 6...10 with 6...8 of term 2.
        try persist(entries(6...8, term: 2), to: storage, database: database)
        #expect(storage.lastIndex() == LogIndex(8))
        #expect(try storage.term(at: LogIndex(7)) == Term(2))
        try agree(1, 9)
        // Far more than the tail keeps: reads below its edge come from RocksDB, above it from memory.
        let many = UInt64(3 * 4096)
        for start in stride(from: UInt64(9), to: 9 + many, by: 512) {
            try persist(entries(start...(start + 511), term: 2), to: storage, database: database)
        }
        let last = storage.lastIndex().rawValue
        try agree(1, 40)
        try agree(last - 5000, last + 1, bytesMax: 64 * 1024)
        try agree(last - 10, last + 1)
    }
}
