#!/usr/bin/env bash
# Memory of analyze watch over a long feed: days of generated traffic
# (samples/gen -per-minute: 1,000 requests a second of the log's clock,
# steady, a 5-minute 503 outage at noon) piped to `analyze watch -o json -`
# faster than real time. It prints the lines read and the resident memory
# every few seconds, then the peak: memory is bounded by the windows watch
# keeps (--since), not by the input.
#
#   bash bench/watch-feed.sh              # a day: 86,400,000 lines, 11 GB
#   DAYS=2 PER_MINUTE=6000 SINCE=2h bash bench/watch-feed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
days=${DAYS:-1}
per_minute=${PER_MINUTE:-60000}
every=${EVERY:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"; kill $(jobs -p) 2>/dev/null || true' EXIT

go build -o "$work/analyze" ./cmd/analyze
go build -o "$work/gen" ./samples/gen
lines=$((days * 1440 * per_minute))

start=$(date +%s)
"$work/gen" -per-minute "$per_minute" -days "$days" -start 2030-01-01T00:00:00Z |
  "$work/analyze" watch -o json --every 2s --since "${SINCE:-15m}" - > "$work/frames.jsonl" &
sleep 1
pid=$(pgrep -f "$work/analyze watch" | head -1)
peak=0
printf '%8s %14s %10s %12s\n' seconds lines rss_mb lines/s
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null || echo 0)
  hwm=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null || echo 0)
  [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
  read_lines=$(tail -n 1 "$work/frames.jsonl" 2>/dev/null | grep -o '"lines":[0-9]*' | head -1 | cut -d: -f2)
  now=$(($(date +%s) - start))
  printf '%8d %14s %10s %12s\n' "$now" "${read_lines:-0}" "$rss" "$(( ${read_lines:-0} / (now > 0 ? now : 1) ))"
  sleep "$every"
done
wait || true
last=$(tail -n 1 "$work/frames.jsonl" | grep -o '"input":{[^}]*}')
echo "last frame: $last"
echo "peak RSS (VmHWM): $peak MB over $lines lines in $(( $(date +%s) - start )) s"
