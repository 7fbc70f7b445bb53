#!/bin/bash
# sealog-load's own ceiling: how fast the generator can go when the server
# costs next to nothing (sealog-capture answers from memory). Figures for
# bench/RESULTS.md, "sealog-load ceiling"; a sealog measurement near them
# is limited by the generator, not by the node.
#
# usage: bench/ceiling.sh [BUILD_DIR]
#        env: RUNS=5 SECS=10 TLS="plain tls" SHAPES="small bulk"
#
# For each transport and shape (1-row posts over 64 connections, 10k-row
# posts over 4 connections): waits for an idle machine, one warm-up run,
# then RUNS runs of SECS seconds; prints min/median/max of the rate and the
# CPU both processes spent per request. Needs python3 (as ch_sidebyside.sh).
set -u
B=${1:-build}; RUNS=${RUNS:-5}; SECS=${SECS:-10}; TLS=${TLS:-"plain tls"}; SHAPES=${SHAPES:-"small bulk"}
LOAD=$B/bench/sealog-load; CAPTURE=$B/bench/sealog-capture
[ -x "$LOAD" ] && [ -x "$CAPTURE" ] || { echo "build first: $LOAD, $CAPTURE" >&2; exit 2; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
TCK=$(getconf CLK_TCK)

waitidle() {  # until the rest of the machine uses < 10% CPU for 1 s (shared hosts)
  local k u ni sy id io irq sirq st rest t1 i1 t2 i2 busy=100
  for k in $(seq 1 120); do
    read -r _ u ni sy id io irq sirq st rest < /proc/stat; t1=$((u+ni+sy+id+io+irq+sirq+st)); i1=$((id+io)); sleep 1
    read -r _ u ni sy id io irq sirq st rest < /proc/stat; t2=$((u+ni+sy+id+io+irq+sirq+st)); i2=$((id+io))
    busy=$(( 100 - 100*(i2-i1)/(t2-t1) )); [ "$busy" -lt 10 ] && return 0
  done; echo "WARN: host busy (${busy}%), measuring anyway" >&2; }

cpu_ticks() { awk '{print $14+$15}' /proc/"$1"/stat; }

# measure LABEL TRANSPORT ARGS...: one warm-up, then RUNS timed runs.
measure() {
  local label=$1 transport=$2; shift 2
  local capargs=() ; [ "$transport" = tls ] && capargs=(--tls)
  "$CAPTURE" "${capargs[@]}" > "$W/cap.out" 2>&1 & local cap=$!
  local want=listening; [ "$transport" = tls ] && want=certificate
  for k in $(seq 300); do grep -q "$want" "$W/cap.out" && break; sleep 0.1; done
  grep -q "$want" "$W/cap.out" || { echo "sealog-capture did not start" >&2; kill "$cap"; exit 2; }
  local url cert tlsargs=()
  url=$(awk '/listening/{print $2}' "$W/cap.out"); cert=$(awk '/certificate/{print $2}' "$W/cap.out")
  [ -n "$cert" ] && tlsargs=(--cacert "$cert")
  : > "$W/runs"
  for i in $(seq 0 "$RUNS"); do
    waitidle
    local c0 c1; c0=$(cpu_ticks "$cap")
    "$LOAD" --url "$url" "${tlsargs[@]}" --duration "$([ "$i" = 0 ] && echo 3 || echo "$SECS")" \
        --quiet --report-json "$W/r.json" "$@" > /dev/null || echo "WARN: run $i had errors" >&2
    c1=$(cpu_ticks "$cap")
    [ "$i" = 0 ] && continue   # warm-up
    python3 - "$W/r.json" "$(( c1 - c0 ))" "$TCK" >> "$W/runs" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); cap = int(sys.argv[2]) / int(sys.argv[3])
cpu = r["client_cpu_s"]["user"] + r["client_cpu_s"]["sys"]; n = max(r["requests"], 1)
print(r["requests_per_s"], r["rows_per_s"], r["mb_per_s"], r["latency"]["p99_ns"] / 1e6,
      cpu / r["elapsed_s"], 1e6 * cpu / n, 1e6 * cap / n, cap / r["elapsed_s"])
EOF
  done
  kill -INT "$cap"; wait "$cap" 2>/dev/null
  python3 - "$label" "$W/runs" <<'EOF'
import sys, statistics as st
rows = [list(map(float, l.split())) for l in open(sys.argv[2])]
col = lambda i: sorted(r[i] for r in rows)
med = lambda i: st.median(col(i))
req, rps = col(0), col(1)
print(f"{sys.argv[1]}: req/s min {req[0]:,.0f} median {med(0):,.0f} max {req[-1]:,.0f}; "
      f"rows/s median {med(1):,.0f} ({med(2):,.1f} MB/s); p99 median {med(3):.2f} ms")
print(f"    client {med(5):.2f} us CPU/request ({100*med(4):.0f}% of a core) -> "
      f"{1e6/med(5):,.0f} req per client CPU-s, {1e6/med(5)*(med(1)/max(med(0),1)):,.0f} rows per "
      f"client CPU-s; capture {med(6):.2f} us/request ({100*med(7):.0f}% of a core)")
EOF
}

echo "host: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB;" \
     "commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null); $RUNS x ${SECS}s runs after 1 warm-up"
KEY=$(head -c 64 /dev/urandom | base64 -w0)
DC=(--mode dc --workspace-id 5f2c7d1e-3a4b-4c5d-8e6f-0123456789ab --shared-key "$KEY")
for t in $TLS; do
  for s in $SHAPES; do
    case $s in
    small) measure "$t, 1 row/post, 64 connections" "$t" "${DC[@]}" --rows-per-post 1 --connections 64 --ring-mb 64 ;;
    bulk)  measure "$t, 10k rows/post, 4 connections" "$t" "${DC[@]}" --rows-per-post 10000 --connections 4 --ring-mb 512 ;;
    esac
  done
done
