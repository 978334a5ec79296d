internal import CRocksDB

extension StorageError {
    /// Makes an error from RocksDB's status text, choosing the code from RocksDB's status prefix.
    ///
    /// RocksDB reports a held `LOCK` as an I/O error: "While lock file: <dir>/LOCK: Resource
    /// temporarily unavailable" when another process holds it, "lock hold by current process"
    /// when this one does. Both become `locked`, because the remedy (stop the other owner)
    /// differs from a disk failure's. Failing to open the LOCK file at all is an `io_error`.
    static func fromRocksDB(_ text: String, context: String) -> StorageError {
        let code: String
        if text.contains("While lock file") || text.contains("lock hold by current process") {
            return StorageError(
                code: "locked",
                message: "\(context): the data directory is in use by another process or Database (RocksDB LOCK is held): \(text)"
            )
        } else if text.hasPrefix("IO error") {
            code = "io_error"
        } else if text.hasPrefix("Corruption") {
            code = "corruption"
        } else if text.hasPrefix("Invalid argument") {
            code = "invalid_argument"
        } else if text.hasPrefix("Not implemented") {
            code = "not_supported"
        } else {
            code = "rocksdb"
        }
        return StorageError(code: code, message: "\(context): \(text)")
    }
}

/// Calls a RocksDB C function that reports failure through `char** errptr`.
///
/// The error string RocksDB allocates is copied into a `StorageError` and freed with
/// `rocksdb_free` before this returns, so no caller ever sees or owns it.
func withRocksDBError<Result>(
    _ context: @autoclosure () -> String,
    _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Result
) throws(StorageError) -> Result {
    var errorText: UnsafeMutablePointer<CChar>? = nil
    let result = body(&errorText)
    if let error = takeRocksDBError(errorText, context: context()) { throw error }
    return result
}

/// Copies and frees a RocksDB error string; `nil` in, `nil` out.
func takeRocksDBError(_ errorText: UnsafeMutablePointer<CChar>?, context: String) -> StorageError? {
    guard let errorText else { return nil }
    let text = String(cString: errorText)
    rocksdb_free(errorText)
    return StorageError.fromRocksDB(text, context: context)
}

/// Copies a malloc'ed RocksDB value into Swift bytes and frees it at once.
func takeRocksDBBytes(_ pointer: UnsafeMutablePointer<CChar>?, count: Int) -> [UInt8]? {
    guard let pointer else { return nil }
    defer { rocksdb_free(pointer) }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
}
