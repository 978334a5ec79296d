/// The one error type of the Storage module: a stable machine-readable code and a human message.
///
/// Codes used by this module:
/// - `locked`: another process (or another `Database` in this process) holds the directory's RocksDB `LOCK`.
/// - `io_error`, `corruption`, `invalid_argument`, `not_supported`, `rocksdb`: RocksDB reported a failure;
///   the message is RocksDB's own text.
/// - `corrupt_entry`: a Raft log entry or Raft state value failed its CRC32C or could not be decoded.
/// - `compacted`: a Raft log read asked for entries that were already compacted away.
/// - `unavailable`: a Raft log operation named an index that is not stored.
/// - `unsupported_format`: the data directory was written by a newer, unknown format version.
/// - `identity_mismatch`: the data directory belongs to another node.
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short snake_case code that callers may switch on.
    public let code: String
    /// A human-readable explanation, including RocksDB's text when there is one.
    public let message: String

    /// Makes an error from a code and a message.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// `storage error [code]: message`, for logs.
    public var description: String { "storage error [\(code)]: \(message)" }
}
