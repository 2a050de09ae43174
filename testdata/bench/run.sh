#!/usr/bin/env bash
# make bench: runs the same generated connector log through three collector
# pipelines, one after another, and reports per pipeline the CPU time of the
# collector process (from /proc), lines/s, peak RSS (VmHWM) and the CPU ratio
# to stock file_log with no operators. Completion is read from each
# collector's own otelcol_receiver_accepted_log_records metric, never slept.
#
# usage: run.sh TWINGATE_BIN STOCK_BIN OUT_DIR
#   BENCH_LINES (default 1000000) lines in the generated file
#   BENCH_JOURNAL_LINES (default 100000) entries in the generated journal
#     (needs systemd-journal-remote; the journald row is skipped without it)
set -euo pipefail

twingate_bin=$(realpath "$1")
stock_bin=$(realpath "$2")
out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
lines=${BENCH_LINES:-1000000}
journal_lines=${BENCH_JOURNAL_LINES:-100000}
port=${BENCH_METRICS_PORT:-28888}
tck=$(getconf CLK_TCK)
mkdir -p "$out"

log="$out/connector-$lines.log"
if [[ ! -s "$log" || ! -s "$log.analytics" ]]; then
  echo "generating $log ($lines lines)"
  (cd "$root" && go run ./internal/linegen/cmd/linegen \
    -lines "$lines" -out "$log") >"$log.analytics"
fi
analytics=$(cat "$log.analytics")
size_mb=$(($(stat -c %s "$log") / 1000000))

accepted() { # sum of otelcol_receiver_accepted_log_records on the metrics endpoint
  curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null |
    awk '/^otelcol_receiver_accepted_log_records[{ ]/ {sum += $NF} END {printf "%d", sum}' || echo 0
}

cpu_ticks() { # utime + stime of a process, in clock ticks
  awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"
}

rows=()
baseline=""
# run NAME BIN CONFIG EXPECTED_RECORDS LINES [ENV=VALUE...]
run() {
  local name=$1 bin=$2 config=$3 expected=$4 nlines=$5
  shift 5
  echo "running $name: waiting for $expected records"
  env "$@" BENCH_METRICS_PORT="$port" "$bin" --config "$config" >"$out/$name.log" 2>&1 &
  local pid=$! start end n=0 deadline=$((SECONDS + 900))
  start=$(date +%s.%N)
  while ((n < expected)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name: collector exited; see $out/$name.log" >&2
      return 1
    fi
    if ((SECONDS > deadline)); then
      echo "$name: only $n of $expected records after 900 s" >&2
      kill "$pid"
      return 1
    fi
    sleep 0.2
    n=$(accepted)
  done
  end=$(date +%s.%N)
  local ticks hwm child_ticks=0 child
  ticks=$(cpu_ticks "$pid")
  for child in $(pgrep -P "$pid" || true); do # journalctl, for the journald row
    child_ticks=$((child_ticks + $(cpu_ticks "$child")))
  done
  hwm=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
  kill "$pid"
  wait "$pid" || true

  local cpu per_m rate ratio
  cpu=$(awk -v t="$ticks" -v hz="$tck" 'BEGIN {printf "%.2f", t / hz}')
  per_m=$(awk -v c="$cpu" -v l="$nlines" 'BEGIN {printf "%.2f", c * 1000000 / l}')
  rate=$(awk -v l="$nlines" -v s="$start" -v e="$end" 'BEGIN {printf "%.0f", l / (e - s)}')
  [[ -n "$baseline" ]] || baseline=$per_m
  ratio=$(awk -v p="$per_m" -v b="$baseline" 'BEGIN {printf "%.2f×", p / b}')
  if ((child_ticks > 0)); then
    per_m="$per_m (+ journalctl $(awk -v t="$child_ticks" -v hz="$tck" -v l="$nlines" \
      'BEGIN {printf "%.2f", t / hz * 1000000 / l}'))"
  fi
  rows+=("| $name | $nlines | $n | $cpu | $per_m | $rate | $hwm | $ratio |")
}

run "stock file_log, no operators" "$stock_bin" "$here/stock-raw.yaml" "$lines" "$lines" BENCH_FILE="$log"
run "stock file_log + filter, regex, json, timestamp" "$stock_bin" "$here/stock-parse.yaml" "$analytics" "$lines" BENCH_FILE="$log"
run "otelcol-twingate (file)" "$twingate_bin" "$here/twingate.yaml" "$analytics" "$lines" BENCH_FILE="$log"

remote=""
for c in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
  [[ -x "$c" ]] && remote=$c && break
done
if [[ -n "$remote" ]]; then
  jdir="$out/journal-$journal_lines"
  if [[ ! -s "$jdir/bench.journal" ]]; then
    echo "writing $jdir/bench.journal ($journal_lines entries)"
    rm -rf "$jdir" && mkdir -p "$jdir"
    head -n "$journal_lines" "$log" | awk '{
      printf "__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0b5d1f6e2c3a4b7d8e9f0a1b2c3d4e5f\n", 1795161600000000 + NR * 1000, NR * 1000
      printf "_HOSTNAME=connector-host-1\n_SYSTEMD_UNIT=twingate-connector.service\nPRIORITY=6\nMESSAGE=%s\n\n", $0
    }' | "$remote" --split-mode=none --compress=no --seal=no -o "$jdir/bench.journal" - 2>/dev/null
  fi
  janalytics=$(head -n "$journal_lines" "$log" | grep -c '^ANALYTICS ')
  baseline="" # the journald rows compare with stock journald
  run "stock journald, no operators" "$stock_bin" "$here/stock-journald.yaml" "$journal_lines" "$journal_lines" \
    BENCH_JOURNAL_DIR="$jdir"
  run "otelcol-twingate (journald)" "$twingate_bin" "$here/twingate-journald.yaml" "$janalytics" "$journal_lines" \
    BENCH_JOURNAL_DIR="$jdir"
else
  echo "systemd-journal-remote not found: skipping the journald row (apt-get install systemd-journal-remote)"
fi

{
  echo "Connector log: $lines lines, $size_mb MB, $analytics ANALYTICS lines; $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(go env GOVERSION)."
  echo
  echo "| pipeline | lines | records | CPU s | CPU s per 1M lines | lines/s | peak RSS MiB | CPU vs stock raw (file / journald) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} | tee "$out/results.md"
