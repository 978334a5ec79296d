import Foundation
import Storage

/// A new, empty directory under the system temporary directory.
func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("quad-storage-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// `withTemporaryDirectory` for async bodies.
func withTemporaryDirectoryAsync<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Runs `body` with a database opened in a fresh temporary directory.
func withTemporaryDatabase<Result>(_ body: (Database) throws -> Result) throws -> Result {
    try withTemporaryDirectory { path in try body(try Database(path: path + "/db")) }
}

/// The UTF-8 bytes of `text`, for readable keys and values.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The error `body` threw, or `nil` when it returned.
func caughtError(_ body: () throws(StorageError) -> Void) -> StorageError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
