// The RocksDB C API, as shipped by Debian's librocksdb-dev (RocksDB 7.8).
// Imported `internal` by the Storage target only; no C type leaves it.
#pragma once
#include <rocksdb/c.h>
