import Foundation
import Testing
@testable import Storage

/// The first `python3` on `PATH`, used to hold a POSIX record lock from another process.
let python3Path: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "")
    .split(separator: ":")
    .map { "\($0)/python3" }
    .first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite(.enabled(if: python3Path != nil, "needs python3 to hold a lock from another process"))
struct CrossProcessLockTests {
    @Test func directoryLockedByAnotherProcessFailsWithClearError() throws {
        // Proves a RocksDB LOCK held by another process (fcntl, as RocksDB takes it) gives code "locked".
        try withTemporaryDirectory { path in
            let directory = path + "/db"
            do { _ = try Database(path: directory) }
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: try #require(python3Path))
            holder.arguments = [
                "-c",
                "import fcntl, sys; f = open(sys.argv[1], 'a'); fcntl.lockf(f, fcntl.LOCK_EX); "
                    + "print('locked', flush=True); sys.stdin.read()",
                directory + "/LOCK",
            ]
            let output = Pipe()
            let input = Pipe()
            holder.standardOutput = output
            holder.standardInput = input
            try holder.run()
            defer {
                try? input.fileHandleForWriting.close()
                holder.waitUntilExit()
            }
            // Blocks until the holder has the lock and says so (or exits).
            let said = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            try #require(said.hasPrefix("locked"))
            let error = caughtError { () throws(StorageError) in _ = try Database(path: directory) }
            #expect(error?.code == "locked")
            #expect(error?.message.contains("in use by another process") == true)
        }
    }
}
