internal import CRocksDB

/// The C heap RocksDB allocates from.
enum CHeap {
    /// Bytes glibc malloc has handed out and not taken back; 0 where glibc is not the allocator.
    /// Tests compare it before and after many calls to prove nothing RocksDB returns is leaked.
    static var bytesInUse: Int { Int(quad_c_heap_bytes_in_use()) }
}
