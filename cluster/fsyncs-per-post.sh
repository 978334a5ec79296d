#!/bin/bash
# Counts fsyncs per acknowledged post on a local 3-node cluster (all nodes together), from
# /metrics: N posts through n1 from C concurrent clients. Usage: cluster/fsyncs-per-post.sh [N] [C]
set -e
cd "$(dirname "$0")/.."
N=${1:-400}; C=${2:-8}
export QUAD_BIN="${QUAD_BIN:-$(swift build --show-bin-path)}"
cluster/local.sh down >/dev/null 2>&1 || true; rm -rf cluster/data
cluster/local.sh up 3 >/dev/null
T=$("$QUAD_BIN/quadctl" dev-token --data-dir cluster/data/n1 --user admin --admin)
H=(-H "Authorization: Bearer $T" -H 'Content-Type: application/json')
for i in $(seq 1 50); do curl -sf "${H[@]}" -X POST localhost:8081/v1/platforms -d '{"id":"lms","name":"LMS"}' >/dev/null && break; sleep 0.2; done
W=$(curl -sf "${H[@]}" -X POST localhost:8081/v1/workspaces -d '{"platform_id":"lms","kind":"course","name":"Bench","templates":["chatter"]}')
WS=$(echo "$W" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["workspace"]["id"], d["channels"][0]["id"])')
set -- $WS
curl -sf "${H[@]}" -X POST localhost:8081/v1/workspaces/$1/members -d '{"members":[{"user_id":"admin","role":"instructor"}]}' >/dev/null
curl -sf "${H[@]}" -X POST localhost:8081/v1/workspaces/$1/channels/$2/join >/dev/null
sleep 3  # leaders settle
before=$(for k in 1 2 3; do curl -s localhost:808$k/metrics | grep -E '^quad_log_fsyncs_total' | awk '{print $2}'; done | awk '{s+=$1} END {print s}')
seq 1 $N | xargs -P $C -I{} curl -s -o /dev/null -w '%{http_code}\n' "${H[@]}" -X POST localhost:8081/v1/workspaces/$1/channels/$2/messages -d '{"text":"m{}","client_msg_id":"m{}"}' | sort | uniq -c
after=$(for k in 1 2 3; do curl -s localhost:808$k/metrics | grep -E '^quad_log_fsyncs_total' | awk '{print $2}'; done | awk '{s+=$1} END {print s}')
awk -v n="$N" -v c="$C" -v f="$((after - before))" 'BEGIN { printf "posts=%d clients=%d fsyncs(all 3 nodes)=%d per post=%.2f\n", n, c, f, f / n }' 
cluster/local.sh down >/dev/null; rm -rf cluster/data
