// The RocksDB C API, as shipped by Debian's librocksdb-dev (RocksDB 7.8).
// Imported `internal` by the Storage target only; no C type leaves it.
#pragma once
#include <rocksdb/c.h>

#if defined(__GLIBC__)
#include <malloc.h>
// Bytes the C heap (glibc malloc, which RocksDB uses) has handed out and not taken back.
// Storage's tests use it to prove RocksDB's error strings and values are freed.
static inline size_t quad_c_heap_bytes_in_use(void) { return mallinfo2().uordblks; }
#else
static inline size_t quad_c_heap_bytes_in_use(void) { return 0; }
#endif
