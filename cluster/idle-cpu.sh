#!/usr/bin/env bash
# CPU an idle cluster costs: starts cluster/local.sh up N (default 3), waits for it to settle,
# then prints the CPU-seconds (user + system, from /proc/PID/stat) each node used over SECONDS
# (default 20) of idleness, and stops the cluster. Compare runs by their ratio, not the seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-3}
seconds=${2:-20}
cluster/local.sh up "$count" >/dev/null
trap 'cluster/local.sh down' EXIT
sleep 6
ticks() {
    local total=0 pid fields
    for pidfile in cluster/data/n*/pid; do
        pid=$(cat "$pidfile")
        read -r -a fields < <(cut -d' ' -f14,15 "/proc/$pid/stat")
        total=$((total + fields[0] + fields[1]))
    done
    echo "$total"
}
before=$(ticks)
sleep "$seconds"
after=$(ticks)
hz=$(getconf CLK_TCK)
echo "idle-cpu: $(awk -v d=$((after - before)) -v hz="$hz" -v n="$count" -v s="$seconds" \
    'BEGIN { printf "%.2f CPU-seconds per node over %d s (%.0f%% of a core)", d / hz / n, s, 100 * d / hz / n / s }')"
