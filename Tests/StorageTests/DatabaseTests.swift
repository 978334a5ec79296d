import Foundation
import QuadCore
import Testing
@testable import Storage

@Suite struct DatabaseTests {
    @Test func putGetDeleteInEveryColumnFamily() throws {
        // Proves put, get and delete work in each family and that families do not see each other's keys.
        try withTemporaryDatabase { database in
            for family in ColumnFamily.allCases {
                let batch = database.makeWriteBatch()
                batch.put(family, bytes("key"), bytes("value-\(family.name)"))
                try database.write(batch, sync: false)
            }
            for family in ColumnFamily.allCases {
                #expect(try database.get(family, bytes("key")) == bytes("value-\(family.name)"))
                let batch = database.makeWriteBatch()
                batch.delete(family, bytes("key"))
                try database.write(batch, sync: true)
                #expect(try database.get(family, bytes("key")) == nil)
            }
            #expect(try database.get(.data, bytes("absent")) == nil)
            #expect(try database.get(.data, []) == nil)
        }
    }

    @Test func batchIsAtomicAcrossFamilies() throws {
        // Proves a batch is invisible until written and then wholly visible, across families.
        try withTemporaryDatabase { database in
            let batch = database.makeWriteBatch()
            for number in 0..<100 { batch.put(.data, bytes("k\(number)"), bytes("v\(number)")) }
            batch.put(.raftState, bytes("applied"), bytes("100"))
            batch.delete(.data, bytes("k7"))
            #expect(batch.count == 102)
            #expect(batch.byteSize > 100 * 4)
            #expect(try database.get(.data, bytes("k0")) == nil)
            try database.write(batch, sync: true)
            #expect(try database.get(.data, bytes("k99")) == bytes("v99"))
            #expect(try database.get(.data, bytes("k7")) == nil)
            #expect(try database.get(.raftState, bytes("applied")) == bytes("100"))
            batch.clear()
            #expect(batch.count == 0)
        }
    }

    @Test func scanHonoursBoundsReverseAndLimit() throws {
        // Proves scans include the lower bound, exclude the upper bound, reverse, and stop at the limit.
        try withTemporaryDatabase { database in
            let batch = database.makeWriteBatch()
            for letter in ["a", "b", "c", "d", "e"] { batch.put(.data, bytes(letter), bytes(letter.uppercased())) }
            batch.put(.meta, bytes("c2"), bytes("other family"))
            try database.write(batch, sync: false)
            let keys = { (pairs: [KeyValue]) in pairs.map { String(decoding: $0.key, as: UTF8.self) } }
            #expect(keys(try database.scan(.data, from: bytes("b"), to: bytes("e"), limit: 10)) == ["b", "c", "d"])
            #expect(keys(try database.scan(.data, from: bytes("b"), to: bytes("e"), reverse: true, limit: 10)) == ["d", "c", "b"])
            #expect(keys(try database.scan(.data, from: bytes("a"), to: bytes("z"), limit: 2)) == ["a", "b"])
            #expect(keys(try database.scan(.data, from: bytes("a"), to: bytes("z"), reverse: true, limit: 2)) == ["e", "d"])
            #expect(keys(try database.scan(.data, from: bytes("bb"), to: bytes("cc"), limit: 10)) == ["c"])
            #expect(try database.scan(.data, from: bytes("a"), to: bytes("z"), limit: 0).isEmpty)
            #expect(try database.scan(.data, from: bytes("d"), to: bytes("b"), limit: 10).isEmpty)
            #expect(try database.scan(.data, from: bytes("c"), to: bytes("c"), limit: 10).isEmpty)
            #expect(try database.scan(.data, from: [], to: bytes("b"), limit: 10).map(\.value) == [bytes("A")])
        }
    }

    @Test func snapshotSeesOnlyEarlierWrites() throws {
        // Proves a snapshot's get and scan ignore writes and deletes made after it.
        try withTemporaryDatabase { database in
            let batch = database.makeWriteBatch()
            batch.put(.data, bytes("a"), bytes("1"))
            batch.put(.data, bytes("b"), bytes("1"))
            try database.write(batch, sync: false)
            let snapshot = database.makeSnapshot()
            let later = database.makeWriteBatch()
            later.put(.data, bytes("a"), bytes("2"))
            later.delete(.data, bytes("b"))
            later.put(.data, bytes("c"), bytes("2"))
            try database.write(later, sync: false)
            #expect(try snapshot.get(.data, bytes("a")) == bytes("1"))
            #expect(try snapshot.get(.data, bytes("b")) == bytes("1"))
            #expect(try snapshot.get(.data, bytes("c")) == nil)
            #expect(try snapshot.scan(.data, from: bytes("a"), to: bytes("z"), limit: 10).map(\.key) == [bytes("a"), bytes("b")])
            #expect(try database.scan(.data, from: bytes("a"), to: bytes("z"), limit: 10).map(\.key) == [bytes("a"), bytes("c")])
        }
    }

    @Test func rangeDeleteRemovesExactlyTheRange() throws {
        // Proves deleteRange removes keys in [lower, upper) and keeps the keys around it.
        try withTemporaryDatabase { database in
            let batch = database.makeWriteBatch()
            for number in 0..<10 { batch.put(.raftLog, [UInt8(number)], [UInt8(number)]) }
            try database.write(batch, sync: false)
            let delete = database.makeWriteBatch()
            delete.deleteRange(.raftLog, from: [3], to: [7])
            try database.write(delete, sync: false)
            let remaining = try database.scan(.raftLog, from: [0], to: [255], limit: 100).map(\.key)
            #expect(remaining == [[0], [1], [2], [7], [8], [9]])
        }
    }

    @Test func syncedWritesSurviveReopen() throws {
        // Proves synced writes, format version and node identity are there after closing and reopening.
        try withTemporaryDirectory { path in
            do {
                let database = try Database(path: path + "/db", options: DatabaseOptions())
                let batch = database.makeWriteBatch()
                batch.put(.data, bytes("durable"), bytes("yes"))
                try database.write(batch, sync: true)
                try database.recordNodeIdentity(NodeID(7))
            }
            let reopened = try Database(path: path + "/db")
            #expect(try reopened.get(.data, bytes("durable")) == bytes("yes"))
            #expect(try reopened.nodeIdentity() == NodeID(7))
            try reopened.recordNodeIdentity(NodeID(7))
            #expect(throws: StorageError.self) { try reopened.recordNodeIdentity(NodeID(8)) }
            #expect(reopened.approximateSizeBytes > 0)
            #expect(reopened.property("rocksdb.estimate-num-keys", family: .data) != nil)
        }
    }

    @Test func lockedDirectoryFailsWithClearError() throws {
        // Proves a second open of a directory in use fails with code "locked" and says why, and works once closed.
        try withTemporaryDirectory { path in
            do {
                let first = try Database(path: path + "/db")
                let error = caughtError { () throws(StorageError) in _ = try Database(path: path + "/db") }
                #expect(error != nil)
                #expect(error?.code == "locked")
                #expect(error?.message.contains("in use") == true)
                _ = first
            }
            _ = try Database(path: path + "/db")
        }
    }

    @Test func missingDirectoryWithoutCreateFails() throws {
        // Proves createIfMissing = false refuses to invent a database.
        try withTemporaryDirectory { path in
            var options = DatabaseOptions()
            options.createIfMissing = false
            options.compression = .none
            #expect(throws: StorageError.self) { try Database(path: path + "/absent", options: options) }
        }
    }

    @Test func newerFormatVersionIsRefused() throws {
        // Proves a directory stamped with a newer format version fails to open with "unsupported_format".
        try withTemporaryDirectory { path in
            do {
                let database = try Database(path: path + "/db")
                #expect(try database.get(.meta, Database.formatVersionKey) == [0, 0, 0, 1])
                let batch = database.makeWriteBatch()
                batch.put(.meta, Database.formatVersionKey, [0, 0, 0, 99])
                try database.write(batch, sync: true)
            }
            let error = caughtError { () throws(StorageError) in _ = try Database(path: path + "/db") }
            #expect(error != nil)
            #expect(error?.code == "unsupported_format")
            #expect(error?.message.contains("99") == true)
            // The refused open closed the database again: a retry is refused for the format, not the lock.
            #expect(caughtError { () throws(StorageError) in _ = try Database(path: path + "/db") }?.code == "unsupported_format")
        }
    }
}

@Suite struct PowerLossSimulationTests {
    /// Bytes in the database's WAL files (`*.log`).
    private func walBytes(_ directory: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".log") }.reduce(0) {
            $0 + ((try FileManager.default.attributesOfItem(atPath: directory + "/" + $1)[.size] as? Int) ?? 0)
        }
    }

    private func write(_ database: Database, _ key: String, sync: Bool) throws {
        let batch = database.makeWriteBatch()
        batch.put(.data, bytes(key), [UInt8](repeating: 7, count: 1000))
        try database.write(batch, sync: sync)
    }

    @Test func unsyncedWritesWaitInMemoryUntilASyncedWrite() throws {
        // Proves the simulation keeps unsynced records out of the WAL file (so SIGKILL loses
        // them), that a synced write takes every earlier record to the file, and that without
        // the simulation an unsynced write reaches the file at once.
        try withTemporaryDirectory { path in
            var options = DatabaseOptions()
            options.simulatesPowerLoss = true
            let database = try Database(path: path + "/simulated", options: options)
            let empty = try walBytes(path + "/simulated")
            try write(database, "a", sync: false)
            try write(database, "b", sync: false)
            #expect(try walBytes(path + "/simulated") == empty)
            #expect(try database.get(.data, bytes("b")) != nil)
            try write(database, "c", sync: true)
            #expect(try walBytes(path + "/simulated") >= empty + 3000)

            let plain = try Database(path: path + "/plain")
            let plainEmpty = try walBytes(path + "/plain")
            try write(plain, "a", sync: false)
            #expect(try walBytes(path + "/plain") >= plainEmpty + 1000)
        }
    }

    @Test func unsafeSkipsSyncLeavesSyncedWritesInMemoryToo() throws {
        // Proves the unsafe switch turns a synced write into an unsynced one: under the
        // simulation its record stays in memory, where a SIGKILL would lose it.
        try withTemporaryDirectory { path in
            var options = DatabaseOptions()
            options.simulatesPowerLoss = true
            options.unsafeSkipsSync = true
            let database = try Database(path: path + "/db", options: options)
            let empty = try walBytes(path + "/db")
            try write(database, "a", sync: true)
            #expect(try walBytes(path + "/db") == empty)
        }
    }
}
