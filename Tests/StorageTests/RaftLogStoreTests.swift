import QuadCore
import Testing
@testable import Storage

@Suite struct RaftLogStoreTests {
    let group = PartitionID(3)

    func makeEntries(_ indexes: ClosedRange<UInt64>, term: UInt64, payloadBytes: Int = 10) -> [StoredEntry] {
        indexes.map { index in
            StoredEntry(index: LogIndex(index), term: Term(term), payload: [UInt8](repeating: UInt8(index % 251), count: payloadBytes))
        }
    }

    func append(_ entries: [StoredEntry], to store: RaftLogStore, group: PartitionID) throws {
        let batch = store.database.makeWriteBatch()
        store.appendEntries(entries, group: group, into: batch)
        try store.database.write(batch, sync: true)
    }

    @Test func appendedEntriesReadBackInOrder() throws {
        // Proves appended entries read back equal, bounded by [from, to) and by maxBytes, per group.
        try withTemporaryDatabase { database in
            let store = RaftLogStore(database: database)
            #expect(try store.firstIndex(group: group) == LogIndex(1))
            #expect(try store.lastIndex(group: group) == .zero)
            var entries = makeEntries(1...10, term: 2)
            entries[4].kind = StoredEntry.kindConfigurationChange
            try append(entries, to: store, group: group)
            try append(makeEntries(1...3, term: 9), to: store, group: PartitionID(4))
            try append(makeEntries(1...3, term: 9), to: store, group: PartitionID(UInt32.max))
            #expect(try store.entries(group: group, from: LogIndex(1), to: LogIndex(11), maxBytes: .max) == entries)
            #expect(try store.entries(group: group, from: LogIndex(3), to: LogIndex(5), maxBytes: .max) == Array(entries[2..<4]))
            #expect(try store.entries(group: group, from: LogIndex(9), to: LogIndex(20), maxBytes: .max) == Array(entries[8...]))
            #expect(try store.entries(group: group, from: LogIndex(4), to: LogIndex(4), maxBytes: .max).isEmpty)
            // Each value is 5 + 9 + 10 = 24 bytes: 50 bytes fit two entries, 1 byte still yields one.
            #expect(try store.entries(group: group, from: LogIndex(1), to: LogIndex(11), maxBytes: 50).count == 2)
            #expect(try store.entries(group: group, from: LogIndex(1), to: LogIndex(11), maxBytes: 1).count == 1)
            #expect(try store.lastIndex(group: group) == LogIndex(10))
            #expect(try store.lastIndex(group: PartitionID(UInt32.max)) == LogIndex(3))
            #expect(try store.term(at: LogIndex(5), group: group) == Term(2))
            #expect(try store.term(at: LogIndex(11), group: group) == nil)
            #expect(try store.term(at: .zero, group: group) == .zero)
        }
    }

    @Test func truncateSuffixRemovesConflictingEntries() throws {
        // Proves truncateSuffix deletes from the index on, and a new leader's entries replace them.
        try withTemporaryDatabase { database in
            let store = RaftLogStore(database: database)
            try append(makeEntries(1...10, term: 1), to: store, group: group)
            try append(makeEntries(1...2, term: 1), to: store, group: PartitionID(4))
            let batch = database.makeWriteBatch()
            store.truncateSuffix(from: LogIndex(6), group: group, into: batch)
            store.appendEntries(makeEntries(6...7, term: 2), group: group, into: batch)
            try database.write(batch, sync: true)
            #expect(try store.lastIndex(group: group) == LogIndex(7))
            let terms = try store.entries(group: group, from: LogIndex(1), to: LogIndex(100), maxBytes: .max).map(\.term.rawValue)
            #expect(terms == [1, 1, 1, 1, 1, 2, 2])
            #expect(try store.lastIndex(group: PartitionID(4)) == LogIndex(2))
        }
    }

    @Test func compactRemovesPrefixAndRemembersMark() throws {
        // Proves compaction deletes entries up to the index, records index and term, and refuses compacted reads.
        try withTemporaryDatabase { database in
            let store = RaftLogStore(database: database)
            try append(makeEntries(1...5, term: 1) + makeEntries(6...10, term: 3), to: store, group: group)
            let batch = database.makeWriteBatch()
            try store.compact(upTo: LogIndex(7), group: group, into: batch)
            try database.write(batch, sync: true)
            #expect(try store.compactionMark(group: group) == CompactionMark(index: LogIndex(7), term: Term(3)))
            #expect(try store.firstIndex(group: group) == LogIndex(8))
            #expect(try store.lastIndex(group: group) == LogIndex(10))
            #expect(try store.term(at: LogIndex(7), group: group) == Term(3))
            #expect(try store.term(at: LogIndex(6), group: group) == nil)
            #expect(try store.entries(group: group, from: LogIndex(8), to: LogIndex(11), maxBytes: .max).map(\.index.rawValue) == [8, 9, 10])
            let error = caughtError { () throws(StorageError) in _ = try store.entries(group: group, from: LogIndex(7), to: LogIndex(11), maxBytes: .max) }
            #expect(error != nil)
            #expect(error?.code == "compacted")
            let again = database.makeWriteBatch()
            try store.compact(upTo: LogIndex(5), group: group, into: again)
            #expect(again.count == 0)
            #expect(throws: StorageError.self) { try store.compact(upTo: LogIndex(50), group: group, into: again) }
            // A snapshot install past the end of the log leaves an empty log at the mark.
            store.compact(upTo: LogIndex(20), term: Term(4), group: group, into: again)
            try database.write(again, sync: true)
            #expect(try store.lastIndex(group: group) == LogIndex(20))
            #expect(try store.firstIndex(group: group) == LogIndex(21))
        }
    }

    @Test func hardStateAndAppliedIndexRoundTrip() throws {
        // Proves hard state and applied index read back what was written, per group, and survive reopen.
        try withTemporaryDirectory { path in
            do {
                let store = RaftLogStore(database: try Database(path: path + "/db"))
                #expect(try store.hardState(group: group) == nil)
                #expect(try store.appliedIndex(group: group) == .zero)
                let batch = store.database.makeWriteBatch()
                store.setHardState(StoredHardState(term: Term(5), vote: NodeID(2), commit: LogIndex(40)), group: group, into: batch)
                store.setAppliedIndex(LogIndex(38), group: group, into: batch)
                store.setAppliedIndex(LogIndex(1), group: PartitionID(4), into: batch)
                try store.database.write(batch, sync: true)
            }
            let store = RaftLogStore(database: try Database(path: path + "/db"))
            #expect(try store.hardState(group: group) == StoredHardState(term: Term(5), vote: NodeID(2), commit: LogIndex(40)))
            #expect(try store.appliedIndex(group: group) == LogIndex(38))
            #expect(try store.appliedIndex(group: PartitionID(4)) == LogIndex(1))
            #expect(try store.hardState(group: PartitionID(4)) == nil)
        }
    }

    @Test func checksumMismatchIsDetected() throws {
        // Proves a flipped byte in a stored entry or state value is reported as corrupt_entry, not returned.
        try withTemporaryDatabase { database in
            let store = RaftLogStore(database: database)
            try append(makeEntries(1...3, term: 1), to: store, group: group)
            let key = RaftKeys.entry(group, LogIndex(2))
            var value = try #require(try database.get(.raftLog, key))
            value[10] ^= 0x01
            let batch = database.makeWriteBatch()
            batch.put(.raftLog, key, value)
            // A valid value moved under another key fails too: the CRC covers the key.
            let moved = try #require(try database.get(.raftLog, RaftKeys.entry(group, LogIndex(3))))
            batch.put(.raftLog, RaftKeys.entry(group, LogIndex(4)), moved)
            batch.put(.raftState, RaftKeys.state(group, .hardState), [1, 2, 3])
            try database.write(batch, sync: false)
            for (from, to) in [(UInt64(1), UInt64(3)), (4, 5)] {
                let error = caughtError { () throws(StorageError) in _ = try store.entries(group: group, from: LogIndex(from), to: LogIndex(to), maxBytes: .max) }
                #expect(error != nil)
                #expect(error?.code == "corrupt_entry")
            }
            #expect(try store.entries(group: group, from: LogIndex(3), to: LogIndex(4), maxBytes: .max).count == 1)
            #expect(throws: StorageError(code: "corrupt_entry", message: "group p3 hardState: 3 bytes is too short")) {
                try store.hardState(group: group)
            }
        }
    }

    @Test func missingEntryInsideRangeIsReported() throws {
        // Proves a hole in the log is reported instead of silently returning a non-contiguous slice.
        try withTemporaryDatabase { database in
            let store = RaftLogStore(database: database)
            try append(makeEntries(1...5, term: 1), to: store, group: group)
            let batch = database.makeWriteBatch()
            batch.delete(.raftLog, RaftKeys.entry(group, LogIndex(3)))
            try database.write(batch, sync: false)
            #expect(throws: StorageError.self) {
                try store.entries(group: group, from: LogIndex(1), to: LogIndex(6), maxBytes: .max)
            }
        }
    }
}
