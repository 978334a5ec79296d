internal import CRocksDB

extension Database {
    /// RocksDB's `rocksdb_options_t` for `options`, with every durability-relevant value set explicitly.
    static func makeRocksOptions(_ options: DatabaseOptions) -> OpaquePointer {
        let rocksOptions = created(rocksdb_options_create(), "options")
        rocksdb_options_set_create_if_missing(rocksOptions, options.createIfMissing ? 1 : 0)
        rocksdb_options_set_create_missing_column_families(rocksOptions, options.createIfMissing ? 1 : 0)
        rocksdb_options_set_error_if_exists(rocksOptions, 0)
        rocksdb_options_set_paranoid_checks(rocksOptions, 1)
        rocksdb_options_set_compression(rocksOptions, compressionCode(options.compression))
        rocksdb_options_set_write_buffer_size(rocksOptions, options.writeBufferBytes)
        rocksdb_options_set_max_total_wal_size(rocksOptions, options.walBytesMax)
        rocksdb_options_set_max_open_files(rocksOptions, options.maxOpenFiles)
        rocksdb_options_set_max_background_jobs(rocksOptions, options.backgroundJobs)
        rocksdb_options_set_keep_log_file_num(rocksOptions, options.infoLogFilesKept)
        // Records go to the WAL file on every write, not when the application asks; only the
        // power-loss simulation keeps unsynced ones in memory until a synced write flushes them.
        rocksdb_options_set_manual_wal_flush(rocksOptions, options.simulatesPowerLoss ? 1 : 0)
        // fdatasync, not fsync: the WAL's size is tracked by RocksDB itself, so the file
        // metadata fsync adds nothing but latency on ext4/xfs.
        rocksdb_options_set_use_fsync(rocksOptions, 0)
        // Point-in-time recovery (2): after a crash, replay the WAL up to the first torn or
        // corrupt record and stop; a torn tail is the normal result of power loss mid-write.
        rocksdb_options_set_wal_recovery_mode(rocksOptions, 2)
        return rocksOptions
    }

    static func makeWriteOptions(sync: Bool) -> OpaquePointer {
        let writeOptions = created(rocksdb_writeoptions_create(), "write options")
        rocksdb_writeoptions_set_sync(writeOptions, sync ? 1 : 0)
        rocksdb_writeoptions_disable_WAL(writeOptions, 0)
        return writeOptions
    }

    /// Read options for one read: checksums verified, optionally pinned to a snapshot.
    static func makeReadOptions(snapshot: OpaquePointer?) -> OpaquePointer {
        let readOptions = created(rocksdb_readoptions_create(), "read options")
        rocksdb_readoptions_set_verify_checksums(readOptions, 1)
        rocksdb_readoptions_set_fill_cache(readOptions, 1)
        if let snapshot { rocksdb_readoptions_set_snapshot(readOptions, snapshot) }
        return readOptions
    }

    private static func compressionCode(_ compression: DatabaseOptions.Compression) -> Int32 {
        switch compression {
        case .none: Int32(rocksdb_no_compression)
        case .lz4: Int32(rocksdb_lz4_compression)
        case .zstd: Int32(rocksdb_zstd_compression)
        }
    }
}
