import Testing
@testable import Storage

@Suite struct ConcurrencyTests {
    @Test func concurrentWritersAndSnapshotReadersShareOneDatabase() async throws {
        // Proves one Database serves concurrent synced writers and snapshot readers with no lost write.
        let writers = 4
        let writesPerWriter = 50
        try await withTemporaryDirectoryAsync { path in
            let database = try Database(path: path + "/db")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for number in 0..<writesPerWriter {
                            let batch = database.makeWriteBatch()
                            batch.put(.data, [UInt8(writer), UInt8(number)], [UInt8(number)])
                            try database.write(batch, sync: true)
                        }
                    }
                    group.addTask {
                        for _ in 0..<writesPerWriter {
                            let snapshot = database.makeSnapshot()
                            let seen = try snapshot.scan(.data, from: [UInt8(writer)], to: [UInt8(writer + 1)], limit: 1_000)
                            // A writer's keys land in order, so a snapshot sees a prefix of them.
                            precondition(seen.map { $0.key[1] } == Array(0..<UInt8(seen.count)), "snapshot saw a gap")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let all = try database.scan(.data, from: [0], to: [UInt8(writers)], limit: 10_000)
            #expect(all.count == writers * writesPerWriter)
        }
    }
}
