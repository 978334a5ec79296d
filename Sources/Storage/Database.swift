internal import CRocksDB
import Synchronization

/// One RocksDB database with Quad's column families: the node's only durable store.
///
/// Opening creates the directory, the database and every `ColumnFamily` when missing
/// (with `createIfMissing`), takes RocksDB's `LOCK` on the directory, and checks the
/// on-disk format version (see `Database+Meta.swift`). The database closes when the last
/// reference goes away; `WriteBatch` and `ReadSnapshot` keep their database alive.
///
/// The WAL is always on. `write(_:sync:)` with `sync: true` returns only after the WAL
/// has been flushed and fsynced (fdatasync), so the write survives power loss.
public final class Database: @unchecked Sendable {
    // Safety of `@unchecked Sendable`: every stored property is a `let` set in `init`.
    // RocksDB documents `DB`, column family handles and `WriteOptions` as safe to use from
    // many threads at once without external synchronization. They are destroyed only in
    // `deinit`, which runs when no thread holds a reference any more.

    /// The data directory this database was opened at.
    public let path: String
    /// `rocksdb_t*`.
    let handle: OpaquePointer
    /// Column family handles, `default` at 0 then `ColumnFamily.handleIndex` order.
    private let familyHandles: [OpaquePointer]
    /// Write options with `sync = true`, WAL on.
    private let syncedWriteOptions: OpaquePointer
    /// Write options with `sync = false`, WAL on.
    private let unsyncedWriteOptions: OpaquePointer
    /// `DatabaseOptions.unsafeSkipsSync`: every write uses `unsyncedWriteOptions`.
    private let skipsSync: Bool
    /// `DatabaseOptions.simulatesPowerLoss`: unsynced WAL records wait in memory.
    private let holdsUnsyncedRecords: Bool

    /// Opens (and, with `options.createIfMissing`, creates) the database at `path`.
    ///
    /// Throws `locked` when another process or another open `Database` holds the directory,
    /// and `unsupported_format` when the directory was written by a newer Quad.
    public init(path: String, options: DatabaseOptions = .init()) throws(StorageError) {
        let rocksOptions = Self.makeRocksOptions(options)
        defer { rocksdb_options_destroy(rocksOptions) }
        let names = ["default"] + ColumnFamily.allCases.map(\.name)
        for family in ColumnFamily.allCases {
            precondition(names[family.handleIndex] == family.name, "handleIndex out of step with allCases")
        }
        let familyOptions = [OpaquePointer?](repeating: rocksOptions, count: names.count)
        var handles = [OpaquePointer?](repeating: nil, count: names.count)
        let opened = try withRocksDBError("open \(path)") { errorText in
            withCStringArray(names) { cNames in
                rocksdb_open_column_families(
                    rocksOptions, path, Int32(names.count), cNames, familyOptions, &handles, errorText
                )
            }
        }
        guard let opened else {
            throw StorageError(code: "rocksdb", message: "open \(path): RocksDB returned no database and no error")
        }
        self.path = path
        self.handle = opened
        self.familyHandles = handles.map { created($0, "column family handle") }
        self.syncedWriteOptions = Self.makeWriteOptions(sync: true)
        self.unsyncedWriteOptions = Self.makeWriteOptions(sync: false)
        self.skipsSync = options.unsafeSkipsSync
        self.holdsUnsyncedRecords = options.simulatesPowerLoss
        Self.openCount.add(1, ordering: .sequentiallyConsistent)
        try checkFormatVersion()
    }

    deinit {
        // A clean close keeps what a process crash would keep, also under the power-loss simulation.
        if holdsUnsyncedRecords {
            _ = try? withRocksDBError("flush the WAL") { errorText in rocksdb_flush_wal(handle, 0, errorText) }
        }
        for family in familyHandles { rocksdb_column_family_handle_destroy(family) }
        rocksdb_writeoptions_destroy(syncedWriteOptions)
        rocksdb_writeoptions_destroy(unsyncedWriteOptions)
        rocksdb_close(handle)
        Self.openCount.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Databases of this process not yet closed.
    private static let openCount = Atomic<Int>(0)

    /// How many databases this process has open (opened and not yet deinitialized).
    public static var openDatabases: Int { openCount.load(ordering: .sequentiallyConsistent) }

    /// Waits until every database of this process has closed, polling every 10 ms; false if
    /// some were still open after `timeout`.
    ///
    /// A process must not exit while a database is open or closing: `exit` runs RocksDB's
    /// static destructors, which crash a `rocksdb_close` running on another thread at the
    /// same time. The last reference to a database can go away on any thread, some time
    /// after the services that used it have stopped, so a process waits here before it ends.
    public static func waitUntilAllClosed(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while openDatabases > 0 {
            guard clock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// The value stored under `key` in `family`, or `nil` when there is none.
    public func get(_ family: ColumnFamily, _ key: [UInt8]) throws(StorageError) -> [UInt8]? {
        try read(family, key, snapshot: nil)
    }

    /// Applies every operation of `batch` atomically: after a crash either all or none are visible.
    ///
    /// With `sync: true` the WAL is fsynced before this returns (durable on power loss);
    /// with `sync: false` the write survives a process crash but not a machine crash.
    /// The batch must come from this database; it can be cleared and reused afterwards.
    public func write(_ batch: WriteBatch, sync: Bool) throws(StorageError) {
        precondition(batch.database === self, "a WriteBatch is written to the Database that made it")
        let options = sync && !skipsSync ? syncedWriteOptions : unsyncedWriteOptions
        try withRocksDBError("write a batch of \(batch.count) operations") { errorText in
            rocksdb_write(handle, options, batch.handle, errorText)
        }
    }

    /// Up to `limit` pairs of `family` with `lower <= key < upper`, in ascending key order,
    /// or descending from just below `upper` when `reverse` is true.
    ///
    /// The caller bounds the result with `limit` (at least 0); an empty or inverted range is empty.
    public func scan(
        _ family: ColumnFamily, from lower: [UInt8], to upper: [UInt8], reverse: Bool = false, limit: Int
    ) throws(StorageError) -> [KeyValue] {
        try scan(family, from: lower, to: upper, reverse: reverse, limit: limit, snapshot: nil)
    }

    /// A consistent point-in-time view: later writes are invisible through it.
    public func makeSnapshot() -> ReadSnapshot {
        ReadSnapshot(database: self, handle: created(rocksdb_create_snapshot(handle), "snapshot"))
    }

    /// A new, empty batch for this database.
    public func makeWriteBatch() -> WriteBatch {
        WriteBatch(database: self)
    }

    /// `rocksdb_column_family_handle_t*` of `family`.
    func familyHandle(_ family: ColumnFamily) -> OpaquePointer {
        familyHandles[family.handleIndex]
    }
}

/// Unwraps a handle a RocksDB constructor returned; RocksDB returns null only when out of memory.
func created<Handle>(_ handle: Handle?, _ what: String) -> Handle {
    guard let handle else { preconditionFailure("RocksDB returned no \(what)") }
    return handle
}

/// Calls `body` with NUL-terminated copies of `strings`, valid only during the call.
func withCStringArray<Result>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> Result) -> Result {
    let buffers = strings.map { string in
        let characters = string.utf8CString
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: characters.count)
        _ = buffer.initialize(from: characters)
        return buffer
    }
    defer { buffers.forEach { $0.deallocate() } }
    return body(buffers.map { UnsafePointer($0.baseAddress) })
}

extension [UInt8] {
    /// Calls `body` with the bytes as a `const char*` and a length, the shape of RocksDB's C API.
    func withCBytes<Result>(_ body: (UnsafePointer<CChar>?, Int) -> Result) -> Result {
        withUnsafeBytes { raw in body(raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count) }
    }
}
