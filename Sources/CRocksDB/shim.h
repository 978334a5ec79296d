// The RocksDB C API, as shipped by Debian's librocksdb-dev (RocksDB 7.8).
// Imported `internal` by the Storage target only; no C type leaves it.
#pragma once
#include <rocksdb/c.h>

// Bytes the C heap (glibc malloc, which RocksDB uses) has handed out and not taken back;
// 0 where that is unknown. Storage's tests use it to prove RocksDB's error strings and values
// are freed. mallinfo2 exists from glibc 2.33 (mallinfo's int fields overflow past 2 GiB).
#if defined(__GLIBC__)
#if __GLIBC_PREREQ(2, 33)
#define QUAD_HAS_MALLINFO2 1
#endif
#endif
#if defined(QUAD_HAS_MALLINFO2)
#include <malloc.h>
static inline size_t quad_c_heap_bytes_in_use(void) { return mallinfo2().uordblks; }
#else
static inline size_t quad_c_heap_bytes_in_use(void) { return 0; }
#endif
