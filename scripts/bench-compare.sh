#!/usr/bin/env bash
# Runs the same workloads with the same load generator (synod bench)
# against Apache ZooKeeper 3.8 and Synod, both with forceSync=yes and their
# data under one temporary folder (the same disk), case by case, and writes
# bench/results/<date>.md, <date>.json and PNG plots.
#
#   TOPOLOGY=standalone|ensemble3  ensemble3 starts a 3-node ZooKeeper
#                                  ensemble on 127.0.0.1; Synod has no
#                                  replication yet and is reported as such.
#   SCALE=1                        adds 1M and 3M znode fill/read-back runs.
#   ONLY="set 100 B,get 100 B"     runs only the cases with these name prefixes.
#   TARGETS=synod                  runs only these targets.
#   DURATION, WARMUP, REPEATS, WATCHERS tune the run; BENCH_ARGS adds flags
#   (split on spaces: put values with spaces in ONLY or TARGETS).
#
# `make bench-compare` runs scripts/deps.sh first, which installs Debian's
# zookeeper package when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
TOPOLOGY=${TOPOLOGY:-standalone}
[ -f /usr/share/java/zookeeper.jar ] || ./scripts/deps.sh
DIR=$(mktemp -d "${BENCH_TMP:-/tmp}/synod-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
EXTRA=()
if [ "${SCALE:-0}" = 1 ]; then
	EXTRA+=(-scale 1000000,3000000)
fi
[ -z "${ONLY:-}" ] || EXTRA+=(-only "$ONLY")
[ -z "${TARGETS:-}" ] || EXTRA+=(-targets "$TARGETS")
export SYNOD_BIN=$PWD/bin/synod
mkdir -p bench/results
# shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
./bin/synod bench -compare "$DIR" -results bench/results -topology "$TOPOLOGY" \
	-sessions 8 -outstanding 32 -keys 1000 \
	-duration "${DURATION:-5s}" -warmup "${WARMUP:-2s}" -repeats "${REPEATS:-3}" \
	-watchers "${WATCHERS:-10000}" "${EXTRA[@]}" ${BENCH_ARGS:-}
echo "bench-compare: results in bench/results/" >&2
