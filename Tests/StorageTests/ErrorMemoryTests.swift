import Foundation
import Testing
@testable import Storage

/// Leak checks on the C heap. Other tests run in parallel and move the heap too, so each check
/// runs several rounds and looks at the smallest growth: a leak grows the heap in every round,
/// a neighbour's transient allocations do not.
@Suite(.enabled(if: CHeap.bytesInUse > 0, "needs glibc malloc statistics"))
struct ErrorMemoryTests {
    /// The smallest heap growth over `rounds` runs of `body`, after one warm-up run.
    func smallestHeapGrowth(rounds: Int, _ body: () throws -> Void) rethrows -> Int {
        try body()
        var smallest = Int.max
        for _ in 0..<rounds {
            let before = CHeap.bytesInUse
            try body()
            smallest = min(smallest, CHeap.bytesInUse - before)
        }
        return smallest
    }

    @Test func errorStringsAreFreed() throws {
        // Proves RocksDB's error strings are freed: rounds of 250 failed opens leave the C heap where it was.
        try withTemporaryDirectory { path in
            let holder = try Database(path: path + "/db")
            let grown = smallestHeapGrowth(rounds: 4) {
                for _ in 0..<250 {
                    let error = caughtError { () throws(StorageError) in _ = try Database(path: path + "/db") }
                    precondition(error?.code == "locked")
                }
            }
            // One leaked lock message is over 100 bytes, so a leak would show as 25 KB or more a round.
            #expect(grown < 16 * 1024, "C heap grew by \(grown) bytes over 250 failed opens")
            _ = holder
        }
    }

    @Test func copiedValuesAreFreed() throws {
        // Proves values RocksDB mallocs for get are freed after copying: rounds of 1,000 gets leave the heap where it was.
        try withTemporaryDatabase { database in
            let batch = database.makeWriteBatch()
            batch.put(.data, bytes("key"), [UInt8](repeating: 7, count: 1_000))
            try database.write(batch, sync: false)
            let grown = try smallestHeapGrowth(rounds: 4) {
                for _ in 0..<1_000 { _ = try database.get(.data, bytes("key")) }
            }
            // A leaked value is 1 KB, so a leak would show as 1 MB a round.
            #expect(grown < 64 * 1024, "C heap grew by \(grown) bytes over 1,000 gets of 1 KB")
        }
    }
}
