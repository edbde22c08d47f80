#!/usr/bin/env bash
# Runs every Fuzz* target in the module for the given time each (default 30s).
# Usage: scripts/fuzz.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-30s}
failed=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $target ($time)"
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" "$pkg"; then
      failed=$((failed + 1))
    fi
  done
done
if [ "$failed" -gt 0 ]; then
  echo "fuzz: $failed target(s) failed" >&2
  exit 1
fi
