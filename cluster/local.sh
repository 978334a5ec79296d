#!/usr/bin/env bash
# A Quad cluster on loopback for development, tests and benchmarks.
#   cluster/local.sh up N         start nodes n1..nN (API 127.0.0.1:808K, peers 127.0.0.1:909K, data cluster/data/nK)
#   cluster/local.sh down         stop every node (SIGTERM)
#   cluster/local.sh kill K       SIGKILL node nK
#   cluster/local.sh restart K    start nK again with its data
#   cluster/local.sh pause K      SIGSTOP nK;  resume K: SIGCONT
#   cluster/local.sh join K       start a new node nK that joins the running cluster through n1
#                                 (add it first: quadctl node add K 127.0.0.1:909K)
#   cluster/local.sh status       one line per node: up/down and its /health
# Development sign-in is on and every node shares one dev-signin.key, so a token from
#   quadctl dev-token --data-dir cluster/data/n1 --user ana
# works on any node; they share one provider-credentials.key and one session.key too, as every
# cluster must (meeting provider credentials are sealed with the first and replicated; LTI
# sessions and login states are signed with the second, so they work on any node). Set QUAD_BIN to the directory holding quad (default: swift build's).
# QUAD_PEER_TLS=1 cluster/local.sh up N makes a cluster CA and node certificates in cluster/data/pki
# (cluster/peer-certs.sh) and runs the peer traffic over mutual TLS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="cluster/data"
NODES_MAX=9

bin_dir() {
    if [ -n "${QUAD_BIN:-}" ]; then echo "$QUAD_BIN"; else swift build --show-bin-path; fi
}

members() {
    local count=$1 list="" k
    for k in $(seq 1 "$count"); do list="${list:+$list,}$k=127.0.0.1:909$k"; done
    echo "$list"
}

start_node() {
    local k=$1 count dir cluster
    dir="$ROOT/n$k"
    count=$(cat "$ROOT/size")
    if [ "$k" -gt "$count" ]; then  # not a founder: it joins through n1
        cluster=(--join "1=127.0.0.1:9091" --peer-port "909$k")
    else
        cluster=(--members "$(members "$count")")
    fi
    mkdir -p "$dir"
    for key in dev-signin.key provider-credentials.key session.key; do
        cp "$ROOT/$key" "$dir/$key"
        chmod 600 "$dir/$key"
    done
    local tls=()
    if [ -f "$ROOT/pki/n$k.pem" ]; then
        tls=(--peer-tls-cert "$ROOT/pki/n$k.pem" --peer-tls-key "$ROOT/pki/n$k.key" --peer-tls-ca "$ROOT/pki/ca.pem")
    fi
    "$(bin_dir)/quad" --node-id "$k" --data-dir "$dir" --port "808$k" "${cluster[@]}" \
        "${tls[@]}" --dev-signin --log-level "${QUAD_LOG_LEVEL:-notice}" >>"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 200); do
        if curl -sf "http://127.0.0.1:808$k/health" >/dev/null 2>&1; then echo "n$k up (pid $(cat "$dir/pid"))"; return 0; fi
        if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then echo "n$k exited; see $dir/log" >&2; tail -5 "$dir/log" >&2; return 1; fi
        sleep 0.1
    done
    echo "n$k did not answer /health; see $dir/log" >&2
    return 1
}

signal_node() {
    local k=$1 signal=$2 pidfile="$ROOT/n$1/pid"
    [ -f "$pidfile" ] || { echo "n$k is not running" >&2; return 1; }
    kill "-$signal" "$(cat "$pidfile")" 2>/dev/null || true
}

case "${1:-}" in
    up)
        count=${2:-3}
        [[ "$count" =~ ^[0-9]+$ ]] && [ "$count" -ge 2 ] && [ "$count" -le $NODES_MAX ] \
            || { echo "usage: $0 up N (2 to $NODES_MAX)" >&2; exit 2; }
        mkdir -p "$ROOT"
        echo "$count" >"$ROOT/size"
        for key in dev-signin.key provider-credentials.key session.key; do
            [ -f "$ROOT/$key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$ROOT/$key"
        done
        if [ "${QUAD_PEER_TLS:-0}" = 1 ]; then
            cluster/peer-certs.sh "$ROOT/pki" $(seq -f 'n%g' 1 "$count") >/dev/null
        fi
        for k in $(seq 1 "$count"); do start_node "$k" & done
        wait
        ;;
    down)
        for pidfile in "$ROOT"/n*/pid; do
            [ -f "$pidfile" ] || continue
            pid=$(cat "$pidfile")
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
            rm -f "$pidfile"
        done
        ;;
    kill) signal_node "${2:?node}" KILL; rm -f "$ROOT/n$2/pid" ;;
    restart) start_node "${2:?node}" ;;
    join)
        [[ "${2:-}" =~ ^[1-9]$ ]] || { echo "usage: $0 join K (1 to $NODES_MAX)" >&2; exit 2; }
        if [ -f "$ROOT/pki/ca.pem" ] && [ ! -f "$ROOT/pki/n$2.pem" ]; then cluster/peer-certs.sh "$ROOT/pki" "n$2" >/dev/null; fi
        start_node "$2"
        ;;
    pause) signal_node "${2:?node}" STOP ;;
    resume) signal_node "${2:?node}" CONT ;;
    status)
        for dir in "$ROOT"/n*; do
            [ -d "$dir" ] || continue
            k=${dir##*/n}
            if curl -sf "http://127.0.0.1:808$k/health" >/dev/null 2>&1; then state=up; else state=down; fi
            echo "n$k $state http://127.0.0.1:808$k peers 127.0.0.1:909$k"
        done
        ;;
    *) sed -n '2,11p' "$0"; exit 2 ;;
esac
