#!/usr/bin/env bash
# Makes the certificates for mutual TLS between Quad nodes (docs/operations.md):
#   cluster/peer-certs.sh DIR NODE [NODE ...]
# creates DIR/ca.pem and DIR/ca.key (the cluster CA; keep ca.key offline in production) unless
# they exist, then DIR/NODE.pem and DIR/NODE.key for each NODE (a name such as n1), valid for
# client and server use. An IP or DNS name for the certificate's subjectAltName can follow a
# node as NODE=127.0.0.1 (default 127.0.0.1); peers check the CA, not the name.
set -euo pipefail
dir=${1:?usage: $0 DIR NODE [NODE ...]}
shift
[ $# -ge 1 ] || { echo "usage: $0 DIR NODE [NODE ...]" >&2; exit 2; }
mkdir -p "$dir"
cd "$dir"
if [ ! -f ca.pem ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
        -days 3650 -subj "/CN=quad cluster CA" 2>/dev/null
    chmod 600 ca.key
fi
for spec in "$@"; do
    node=${spec%%=*}
    address=127.0.0.1
    [ "$spec" = "$node" ] || address=${spec#*=}
    if [[ "$address" =~ ^[0-9.:]+$ ]]; then san="IP:$address"; else san="DNS:$address"; fi
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' \
        "$san" >"$node.ext"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$node.key" -out "$node.csr" \
        -subj "/CN=quad node $node" 2>/dev/null
    openssl x509 -req -in "$node.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$node.pem" -days 825 \
        -extfile "$node.ext" 2>/dev/null
    chmod 600 "$node.key"
    rm -f "$node.csr" "$node.ext"
    echo "$dir/$node.pem"
done
