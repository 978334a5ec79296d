/// How a `Database` is opened. Every value is passed to RocksDB explicitly, because RocksDB's
/// own defaults change between versions and a node must behave the same after an upgrade.
public struct DatabaseOptions: Sendable {
    /// Block compression for SST files.
    public enum Compression: Sendable {
        /// No compression: least CPU.
        case none
        /// LZ4: cheap to compress and decompress; the default.
        case lz4
        /// Zstandard: smaller files for more CPU.
        case zstd
    }

    /// Create the directory, the database and any missing column family when absent. Default `true`.
    public var createIfMissing: Bool = true
    /// SST block compression. Default `.lz4`: chat text compresses well and LZ4 costs little CPU.
    public var compression: Compression = .lz4
    /// Memtable size per column family before a flush. Default 64 MiB (RocksDB's usual value):
    /// large enough that a burst of posts flushes rarely, small enough that 4 families fit in RAM.
    public var writeBufferBytes: Int = 64 << 20
    /// Total WAL size that forces a flush of the oldest memtables. Default 256 MiB: bounds
    /// recovery time after a crash to replaying about that much.
    public var walBytesMax: UInt64 = 256 << 20
    /// File descriptors RocksDB may keep open for SST files. Default 1,024: below a typical
    /// `ulimit -n` of 65,536 with room for client sockets; -1 would mean unlimited.
    public var maxOpenFiles: Int32 = 1024
    /// Background flush and compaction threads. Default 2: the size of the machines Quad
    /// targets; more would compete with the Raft loop for cores.
    public var backgroundJobs: Int32 = 2
    /// Informational log files (`LOG.old.*`) kept in the data directory. Default 5.
    public var infoLogFilesKept: Int = 5
    /// Fault testing only: the WAL records of unsynced writes stay in this process's memory
    /// until the next synced write (RocksDB's manual WAL flush), so a SIGKILL loses them the
    /// way a power cut loses what the page cache had not written back. Everything synced, and
    /// everything RocksDB itself syncs (SST files, the MANIFEST), survives as it would.
    /// Default `false`: unsynced writes reach the WAL file at once and survive a process crash.
    public var simulatesPowerLoss = false
    /// Fault testing only, and unsafe: synced writes are not synced (etcd's `--unsafe-no-fsync`).
    /// With `simulatesPowerLoss` a SIGKILL then loses acknowledged writes, which is how the
    /// fault suite proves it would notice. Default `false`.
    public var unsafeSkipsSync = false

    /// The defaults documented on each property.
    public init() {}
}
