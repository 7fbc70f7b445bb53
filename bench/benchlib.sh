# bench/benchlib.sh: what ingest.sh, query.sh and compare.sh share (sourced, not run).
#
# The rules come from BENCHMARKS.md: wait for an idle machine before each
# measurement (and say so when it never came), server CPU from /proc/PID/stat,
# the same data file as the peer (ch_sidebyside.sh's generator, in $WORK), and
# the machine, commit and command next to every figure. Each script prints a
# readable report and also appends KEY=VALUE lines to $WORK/results/*.env, which
# compare.sh reads to print the ratios.
#
# Environment: WORK (scratch dir, shared with ch_sidebyside.sh), ROWS (rows to
# generate when $WORK/logs.jsonl is absent), BUILD (build dir, relative to the
# repository), IDLE_TRIES (seconds waitidle may wait, default 120), PERF=1 (record
# a perf profile of the node during each workload into $WORK/perf/).

BL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$BL_TOP/$BUILD" ;; esac
SEALOGD="$BUILD/node/sealogd"; LOAD="$BUILD/bench/sealog-load"
WORK=${WORK:-/tmp/sealog-bench}; ROWS=${ROWS:-2000000}; IDLE_TRIES=${IDLE_TRIES:-120}
PERF=${PERF:-0}
TCK=$(getconf CLK_TCK)
mkdir -p "$WORK/results" || exit 2
WORK=$(cd "$WORK" && pwd)
BL_IDLE_LOG="$WORK/results/waitidle.log"

[ -x "$SEALOGD" ] && [ -x "$LOAD" ] || {
    echo "build first (cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo): $SEALOGD, $LOAD" >&2
    exit 2
}

# --- the machine ------------------------------------------------------------------------

# waitidle LABEL: block until the rest of the machine uses < 10% CPU for 1 s, as the
# peer's script does. When it never happens within IDLE_TRIES seconds, measure anyway,
# but say so (stderr, the log, and BL_IDLE for the results file).
waitidle() {
    local label=${1:-?} k u ni sy id io irq sirq st rest t1 i1 t2 i2 busy=100
    for k in $(seq 1 "$IDLE_TRIES"); do
        read -r _ u ni sy id io irq sirq st rest < /proc/stat
        t1=$((u + ni + sy + id + io + irq + sirq + st)); i1=$((id + io)); sleep 1
        read -r _ u ni sy id io irq sirq st rest < /proc/stat
        t2=$((u + ni + sy + id + io + irq + sirq + st)); i2=$((id + io))
        busy=$((100 - 100 * (i2 - i1) / (t2 - t1)))
        if [ "$busy" -lt 10 ]; then
            BL_IDLE="idle"
            echo "$(date -u +%FT%TZ) $label idle after ${k}s" >> "$BL_IDLE_LOG"
            return 0
        fi
    done
    BL_IDLE="busy${busy}%"
    echo "WARN: host busy (${busy}%) for ${IDLE_TRIES}s before $label; measuring anyway" >&2
    echo "$(date -u +%FT%TZ) $label GAVE UP: busy ${busy}% after ${IDLE_TRIES}s" >> "$BL_IDLE_LOG"
}

machine() {
    echo "host: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB;" \
        "$(uname -sr); sealog $(git -C "$BL_TOP" rev-parse --short HEAD)$(git -C "$BL_TOP" diff --quiet HEAD -- . ':!bench' || echo '+dirty')" \
        "($(basename "$BUILD"), $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt"))"
}

# --- data -------------------------------------------------------------------------------

# ensure_data: $WORK/logs.jsonl from the shared generator, exactly as ch_sidebyside.sh
# runs it (same seed, row i identical for any row count). Sets NROWS, JBYTES.
ensure_data() {
    local gen="$BL_TOP/../shared/bench/ch_sidebyside.sh"
    [ -f "$gen" ] || gen=/work/shared/bench/ch_sidebyside.sh
    if [ ! -s "$WORK/logs.jsonl" ]; then
        sed -n "/^cat > genlogs.py <<'EOF'$/,/^EOF$/p" "$gen" | sed '1d;$d' > "$WORK/genlogs.py"
        echo "generating $ROWS rows into $WORK/logs.jsonl ..." >&2
        (cd "$WORK" && python3 genlogs.py "$ROWS" logs) || exit 2
    fi
    NROWS=$(wc -l < "$WORK/logs.jsonl"); JBYTES=$(stat -c %s "$WORK/logs.jsonl")
    [ "$NROWS" = "$ROWS" ] || echo "note: $WORK/logs.jsonl has $NROWS rows (ROWS=$ROWS); using the file" >&2
}

# --- the node ---------------------------------------------------------------------------

# node_start [sealogd options]: a fresh node on free loopback ports with its data in
# $WORK/node/data. Retention never runs during a benchmark (the shared data is dated
# June 2024, older than any retention). Sets NODE_PID, HTTPS_URL, HTTP_URL, TOKEN, CA.
node_start() {
    NODE_DIR="$WORK/node"
    rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
    "$SEALOGD" --data-dir "$NODE_DIR/data" --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 \
        --log-level warn --retention-interval 86400s "$@" > "$NODE_DIR/node.out" 2> "$NODE_DIR/node.err" &
    NODE_PID=$!
    local k
    for k in $(seq 1 300); do
        grep -q "shown once" "$NODE_DIR/node.out" 2>/dev/null && break
        kill -0 "$NODE_PID" 2>/dev/null || break
        sleep 0.1
    done
    HTTPS_URL=$(grep -o 'https://127.0.0.1:[0-9]*' "$NODE_DIR/node.out" | head -1)
    HTTP_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$NODE_DIR/node.out" | head -1)
    TOKEN=$(grep -o 'sl1\.[^ ]*' "$NODE_DIR/node.out" | head -1)
    CA="$NODE_DIR/data/tls/cert.pem"
    if [ -z "$HTTP_URL" ] || [ -z "$TOKEN" ]; then
        echo "sealogd did not start:" >&2; cat "$NODE_DIR/node.out" "$NODE_DIR/node.err" >&2; exit 2
    fi
}

node_stop() {
    [ -n "${NODE_PID:-}" ] || return 0
    kill -TERM "$NODE_PID" 2>/dev/null; wait "$NODE_PID" 2>/dev/null; NODE_PID=
}

node_cpu() { awk '{print $14 + $15}' /proc/"$NODE_PID"/stat; }          # utime+stime, ticks
node_hwm() { awk '/VmHWM/{printf "%.0f", $2 / 1024}' /proc/"$NODE_PID"/status; }  # MiB

# admin METHOD PATH [JSON]: the admin API over the loopback HTTP listener.
admin() {
    curl -sS -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        "$HTTP_URL$2" ${3:+--data-binary "$3"}
}

# jfield KEY: a top-level string or number of the JSON on stdin.
jfield() { python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1], ""); print(v)' "$1"; }

# ws_create NAME: a workspace kept 730 days; sets WSID and WSKEY.
ws_create() {
    local ws; ws=$(admin POST /admin/v1/workspaces "{\"name\":\"$1\",\"retentionInDays\":730}")
    WSID=$(echo "$ws" | jfield customerId); WSKEY=$(echo "$ws" | jfield primarySharedKey)
    [ -n "$WSID" ] || { echo "workspace: $ws" >&2; exit 2; }
}

# dcr_create ID WORKSPACE_NAME: the Syslog stream of BENCHMARKS.md into Syslog_CL.
dcr_create() {
    local body
    body=$(printf '{"name":"bench-syslog","properties":{"immutableId":"%s","streamDeclarations":{"Custom-Syslog_CL":{"columns":[%s]}},"destinations":{"logAnalytics":[{"name":"la","workspaceResourceId":"/subscriptions/s/resourceGroups/g/providers/Microsoft.OperationalInsights/workspaces/%s"}]},"dataFlows":[{"streams":["Custom-Syslog_CL"],"destinations":["la"],"transformKql":"source","outputStream":"Custom-Syslog_CL"}]}}' \
        "$1" '{"name":"TimeGenerated","type":"datetime"},{"name":"Computer","type":"string"},{"name":"ProcessName","type":"string"},{"name":"SeverityLevel","type":"string"},{"name":"SyslogMessage","type":"string"}' "$2")
    admin POST /admin/v1/dataCollectionRules "$body" | grep -q immutableId || { echo "DCR refused" >&2; exit 2; }
}

# metric NAME[{labels}]: one sample of /metrics.
metric() { curl -s "$HTTP_URL/metrics" | awk -v n="$1" '$1 == n {print $2; exit}'; }

# stages: "parse X wal_write Y encode Z compress W encrypt V commit U" (seconds).
stages() {
    curl -s "$HTTP_URL/metrics" | awk -F'"' '/^sealog_store_stage_seconds_total/ {split($3, v, " "); printf "%s %s ", $2, v[2]} END {print ""}'
}

# wait_folded [TIMEOUT_S]: until every acknowledged row is in a block (the WAL has been
# folded into segments); block_flush_interval bounds it (1 s by default).
wait_folded() {
    local k acked blocked
    for k in $(seq 1 $((${1:-300} * 5))); do
        acked=$(metric sealog_ingest_rows_total); blocked=$(metric sealog_block_rows_total)
        [ -n "$acked" ] && [ "${blocked%.*}" -ge "${acked%.*}" ] && return 0
        sleep 0.2
    done
    echo "WARN: rows not all in blocks after ${1:-300}s ($blocked of $acked)" >&2
}

# --- measuring --------------------------------------------------------------------------

# pct: p50/p90/p99 (ms) of the seconds on stdin, as the peer's script computes them.
pct() {
    sort -g | awk '{a[NR]=$1} END{i99=int(NR*0.99); if(i99<NR*0.99)i99++; printf "n=%d p50=%.1f ms p90=%.1f ms p99=%.1f ms\n", NR, a[int(NR*0.5+0.5)]*1000, a[int(NR*0.9+0.5)]*1000, a[i99]*1000}'
}

# res KEY VALUE: one line of the results file $RES.
res() { echo "$1=$2" >> "$RES"; }

# perf_start NAME / perf_stop: with PERF=1, a call-graph profile of the node while a
# workload runs, summarised into $WORK/perf/NAME.txt (self time, then with children).
perf_start() {
    [ "$PERF" = 1 ] || return 0
    mkdir -p "$WORK/perf"; BL_PERF_NAME=$1
    perf record -g -F 499 -p "$NODE_PID" -o "$WORK/perf/$1.data" > "$WORK/perf/$1.log" 2>&1 &
    BL_PERF_PID=$!
    sleep 0.5
}
perf_stop() {
    [ "$PERF" = 1 ] && [ -n "${BL_PERF_PID:-}" ] || return 0
    kill -INT "$BL_PERF_PID"; wait "$BL_PERF_PID" 2>/dev/null; BL_PERF_PID=
    local f="$WORK/perf/$BL_PERF_NAME"
    {
        echo "# perf, node pid $NODE_PID, $BL_PERF_NAME: self time by symbol"
        perf report -i "$f.data" --stdio --no-children --sort dso,symbol --percent-limit 0.7 -g none 2>/dev/null | grep -v '^$'
        echo "# by thread (comm)"
        perf report -i "$f.data" --stdio --no-children --sort comm --percent-limit 1 -g none 2>/dev/null | grep -v '^#' | grep -v '^$'
        echo "# with children (inclusive)"
        perf report -i "$f.data" --stdio --children --sort symbol --percent-limit 4 -g none 2>/dev/null | grep -v '^#' | grep -v '^$'
    } > "$f.txt"
    echo "   profile: $f.txt"
}
