import Foundation
import Testing
@testable import Storage

/// Leak checks on the C heap. Other tests run in parallel and move the heap too, so each check
/// runs up to `roundsMax` rounds and looks at the smallest growth, stopping at the first round
/// under its bound: a leak grows the heap in every round (and fails after all of them), a
/// neighbour's allocations do not. Busy neighbours (API tests with live servers and RocksDB
/// nodes) can keep the heap moving for several seconds, hence the many rounds.
@Suite(.enabled(if: CHeap.bytesInUse > 0, "needs glibc malloc statistics"))
struct ErrorMemoryTests {
    /// Rounds at most: about 40 s of 250 failed opens before a leak is reported.
    static let roundsMax = 20

    /// The smallest heap growth over up to `roundsMax` runs of `body` (after one warm-up run),
    /// stopping as soon as a round grows the heap by less than `bound`.
    func smallestHeapGrowth(below bound: Int, _ body: () throws -> Void) rethrows -> Int {
        try body()
        var smallest = Int.max
        for _ in 0..<Self.roundsMax where smallest >= bound {
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
            let grown = smallestHeapGrowth(below: 16 * 1024) {
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
            let grown = try smallestHeapGrowth(below: 64 * 1024) {
                for _ in 0..<1_000 { _ = try database.get(.data, bytes("key")) }
            }
            // A leaked value is 1 KB, so a leak would show as 1 MB a round.
            #expect(grown < 64 * 1024, "C heap grew by \(grown) bytes over 1,000 gets of 1 KB")
        }
    }
}
