#!/bin/bash
# Ingestion benchmarks I1, I2, I3, S1, S2 (../shared/BENCHMARKS.md) for sealog,
# on the shared generator's data, with the per-stage cost split.
#
#   WORK=/tmp/sealog-bench ROWS=2000000 bench/ingest.sh [build-dir]
#
# Needs a release build (make) and logs.jsonl in $WORK (ch_sidebyside.sh
# writes it; this script generates it the same way when absent). Prints one
# block per workload; bench/RESULTS.md records the figures with the machine.
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/sealog-bench}; ROWS=${ROWS:-2000000}
SEALOGD="$TOP/$BUILD/node/sealogd"; LOAD="$TOP/$BUILD/bench/sealog-load"
mkdir -p "$WORK"; cd "$WORK" || exit 1
TCK=$(getconf CLK_TCK)

if [ ! -s logs.jsonl ]; then
    # The shared generator, exactly as ch_sidebyside.sh runs it.
    sed -n "/^cat > genlogs.py <<'EOF'$/,/^EOF$/p" "$TOP/../shared/bench/ch_sidebyside.sh" | sed '1d;$d' > genlogs.py
    python3 genlogs.py "$ROWS" logs
fi
NROWS=$(wc -l < logs.jsonl)
echo "host: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB"
echo "sealog $(git -C "$TOP" rev-parse --short HEAD), data: $NROWS rows"

waitidle() {
  local k u ni sy id io irq sirq st rest t1 i1 t2 i2 busy
  for k in $(seq 1 60); do
    read -r _ u ni sy id io irq sirq st rest < /proc/stat; t1=$((u+ni+sy+id+io+irq+sirq+st)); i1=$((id+io)); sleep 1
    read -r _ u ni sy id io irq sirq st rest < /proc/stat; t2=$((u+ni+sy+id+io+irq+sirq+st)); i2=$((id+io))
    busy=$(( 100 - 100*(i2-i1)/(t2-t1) )); [ "$busy" -lt 10 ] && return 0
  done; echo "WARN: host busy (${busy}%)" >&2; }

start_node() {
    rm -rf data; : > node.out
    "$SEALOGD" --data-dir data --listen 127.0.0.1:0 --log-level warn "$@" > node.out 2> node.err &
    PID=$!
    for k in $(seq 1 100); do grep -q "shown once" node.out && break; sleep 0.1; done
    URL=$(grep -o 'https://127.0.0.1:[0-9]*' node.out); TOKEN=$(grep -o 'sl1\.[^ ]*' node.out)
    CA=data/tls/cert.pem
    WS=$(curl -s --cacert $CA -H "Authorization: Bearer $TOKEN" "$URL/admin/v1/workspaces" -d '{"name":"bench-ws"}')
    WSID=$(echo "$WS" | sed 's/.*"customerId":"\([^"]*\)".*/\1/')
    KEY=$(echo "$WS" | sed 's/.*"primarySharedKey":"\([^"]*\)".*/\1/')
}
stop_node() { kill -TERM $PID; wait $PID 2>/dev/null; }
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
rss_peak() { awk '/VmHWM/{printf "%.0f", $2/1024}' /proc/$PID/status; }
stages() { curl -s --cacert $CA "$URL/metrics" | awk -F'[{}" ]+' '/^sealog_store_stage_seconds_total/{print $3, $NF}'; }

run() { # name, then sealog-load arguments
    local name=$1; shift
    waitidle; local c0; c0=$(cpu); stages > stages.before
    "$LOAD" --url "$URL" --cacert $CA --mode dc --workspace-id "$WSID" --shared-key "$KEY" \
        --time-field --input logs.jsonl --quiet --report-json "$name.json" "$@" > "$name.txt" 2>&1
    local c1; c1=$(cpu); stages > stages.after
    echo "== $name: sealog-load $*"
    grep -E "rows |latency|errors|requests" "$name.txt" | sed 's/^/   /'
    local rows; rows=$(sed -n 's/.*"rows":\([0-9]*\).*/\1/p' "$name.json" | head -1)
    awk -v c="$((c1-c0))" -v k="$TCK" -v r="${rows:-0}" 'BEGIN{printf "   server CPU %.2f s -> %.0f rows per CPU-second\n", c/k, (c>0? r/(c/k) : 0)}'
    paste stages.before stages.after | awk '{printf "   stage %-10s %.3f s\n", $1, $4-$2}'
}

start_node
run I1 --connections 4 --rows-per-post 10000 --total-rows "$NROWS"
echo "== S2: peak RSS during I1: $(rss_peak) MiB"
stop_node
SEG=$(du -sb data/segments | cut -f1); WAL=$(du -sb data/wal | cut -f1); CAT=$(du -sb data/catalog | cut -f1)
echo "== S1: on disk after I1: segments $SEG bytes, WAL $WAL, catalog $CAT; total $((SEG+WAL+CAT)) bytes ($(awk -v s=$((SEG+WAL+CAT)) -v j=$(stat -c %s logs.jsonl) 'BEGIN{printf "%.2fx smaller than the JSON", j/s}'))"

start_node
run I2 --connections 8 --rows-per-post 1000 --duration 20
stop_node
start_node
run I3 --connections 64 --rows-per-post 1 --duration 20
stop_node
