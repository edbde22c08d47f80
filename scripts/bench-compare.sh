#!/usr/bin/env bash
# Runs the same workloads against Apache ZooKeeper 3.8 (forceSync yes and no)
# and Synod, each freshly started under one temp folder, and writes
# bench/results/<date>.md. TOPOLOGY is reserved for a 3-node ensemble
# (only "standalone" today).
set -euo pipefail
cd "$(dirname "$0")/.."
TOPOLOGY=${TOPOLOGY:-standalone}
[ "$TOPOLOGY" = standalone ] || { echo "bench-compare: TOPOLOGY=$TOPOLOGY not implemented yet" >&2; exit 2; }
DIR=$(mktemp -d /tmp/synod-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
OUT=bench/results/$(date -u +%F).md
mkdir -p bench/results
ARGS="-sessions ${SESSIONS:-8} -outstanding ${OUTSTANDING:-32} -duration ${DURATION:-5s} -warmup 1s -keys 1000"
{
  echo "# Synod vs Apache ZooKeeper 3.8 — $(date -u +%F)"
  echo
  echo "Command: \`./bin/synod bench -compare DIR $ARGS\` (TOPOLOGY=$TOPOLOGY). Synod is in memory only until storage is wired in: compare with zk-nofsync for now."
  echo
  ./bin/synod bench -compare "$DIR" $ARGS
} > "$OUT"
echo "wrote $OUT"
