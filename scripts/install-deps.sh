#!/usr/bin/env bash
# Installs what building and testing Quad needs on a fresh Debian machine, and only
# what is missing: RocksDB's headers and library (librocksdb-dev), pkg-config, and the
# openssl command (the peer TLS tests make their certificates with it).
# Swift itself is expected on PATH (the toolchain is not an apt package).
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if ! pkg-config --exists rocksdb 2>/dev/null; then need+=(librocksdb-dev); fi
command -v openssl >/dev/null 2>&1 || need+=(openssl)
for extra in "$@"; do
    dpkg -s "$extra" >/dev/null 2>&1 || need+=("$extra")
done

if [ ${#need[@]} -gt 0 ]; then
    echo "install-deps: installing ${need[*]}"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: 'swift' is not on PATH; install Swift 6.3 from swift.org first" >&2
    exit 1
fi
