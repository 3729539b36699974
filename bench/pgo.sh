#!/usr/bin/env bash
# Regenerate cmd/analyze/default.pgo, the CPU profile `go build` uses for
# profile-guided optimisation (https://go.dev/doc/pgo): with it the compiler
# inlines and lays out the hot path as the profile shows it is used.
#
#   bash bench/pgo.sh
#
# It generates logs with the samples generator, builds analyze without a
# profile, and profiles the work users run most, weighted by the CPU each
# takes: the default report on a combined log (three runs), on JSON lines and
# on the nginx log_format of samples/conf, and a Parquet export. The profiles
# are merged into one (go tool pprof -proto). Rerun it when the hot path
# changes; a stale profile still builds, it only helps less.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -pgo=off -o "$work/analyze" ./cmd/analyze
go run ./samples/gen -lines 2000000 > "$work/combined.log"
go run ./samples/gen -lines 1000000 -format json > "$work/json.log"
go run ./samples/gen -lines 1000000 -format nginx > "$work/nginx.log"

profile() { # NAME ARGS...: one profiled run of analyze
  local name=$1; shift
  ANALYZE_CPUPROFILE="$work/$name.prof" "$work/analyze" "$@" > /dev/null
}
for i in 1 2 3; do profile "combined$i" report -o json "$work/combined.log"; done
profile json report -o json "$work/json.log"
profile nginx report -o json --format-file samples/conf/nginx.conf --format nginx:pim "$work/nginx.log"
profile export export --to parquet --out "$work/export" "$work/combined.log"

go tool pprof -proto "$work"/*.prof > cmd/analyze/default.pgo 2> /dev/null
echo "cmd/analyze/default.pgo: $(stat -c %s cmd/analyze/default.pgo) bytes"
