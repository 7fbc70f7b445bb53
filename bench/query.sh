#!/bin/bash
# Query benchmarks Q1-Q9, L1 and L2 of BENCHMARKS.md for sealog, on the shared
# generator's data (the peer's logs.jsonl).
#
#   WORK=/tmp/sealog-bench bench/query.sh
#   env: ROWS=2000000 (rows to generate when $WORK/logs.jsonl is absent; 20000000 to go
#        past the page cache — use another WORK), QUERIES="Q1 ... Q9", LATENCY="L1 L2" (empty: none),
#        N=60 (L1 runs), RATE=100000 (L1's background ingestion), L2_PROBES=100,
#        LOAD_PROTO=https (transport of the ingestion), BUILD=build, IDLE_TRIES=120,
#        PERF=1 (profile the node during each query's runs into $WORK/perf/)
#        NODE_OPTS (extra sealogd options)
#
# 1. Loads logs.jsonl into Syslog_CL through the Logs Ingestion API: a DCR declaring
#    TimeGenerated (datetime), Computer, ProcessName, SeverityLevel, SyslogMessage;
#    sealog-load --mode li --no-rebase-time, so TimeGenerated is ts_ms (June 2024), 3000
#    rows per post (~750 KB, under li_max_body's 1 MiB). The admin dump flushes every
#    acknowledged row into blocks before any query runs.
# 2. Q1-Q9 as KQL through the Query API (POST /v1/workspaces/{id}/query, the admin token,
#    Prefer: include-statistics=true) over the loopback HTTP listener, timed exactly as
#    ch_sidebyside.sh times the peer: wall time around one curl process, 1 warm-up + 5 runs,
#    min and median, server CPU per run from /proc/PID/stat. curl's own time_total is
#    printed beside it. Every answer is checked against answers.py's, computed from the
#    data file; a wrong answer is marked WRONG, not reported as a figure.
# 3. L1: Q1 N times idle, then N times while sealog-load ingests RATE rows/s (10k-row
#    posts, Data Collector API) into another table; p50/p99 as the peer's script computes
#    them; the ingestion rate achieved is read from the node's counters.
# 4. L2: l2probe.py posts marker records and polls until each is queryable, while an
#    I2-shaped load (1k-row posts, 8 connections, closed loop) runs into the same table.
# Results: a report on stdout, KEY=VALUE lines in $WORK/results/query_<rows>.env.
set -u
. "$(dirname "$0")/benchlib.sh"
QUERIES=${QUERIES-"Q1 Q2 Q3 Q4 Q5 Q6 Q7 Q8 Q9"}; LATENCY=${LATENCY-"L1 L2"}
N=${N:-60}; RATE=${RATE:-100000}; L2_PROBES=${L2_PROBES:-100}; LOAD_PROTO=${LOAD_PROTO:-https}
HERE="$BL_TOP/bench"
ensure_data
cd "$WORK" || exit 2
mkdir -p q
RES="$WORK/results/query_$NROWS.env"; : > "$RES"
M=$(machine); echo "$M"; res machine "\"$M\""
echo "data: $NROWS rows, $JBYTES bytes of JSON ($WORK/logs.jsonl)"; res rows "$NROWS"

# The right answers, computed once per data file.
EXP="$WORK/results/expected_$NROWS.json"
if [ ! -s "$EXP" ] || ! python3 -c 'import json,os,sys; d=json.load(open(sys.argv[1])); sys.exit(d["file_size"] != os.stat(sys.argv[2]).st_size)' "$EXP" "$WORK/logs.jsonl"; then
    python3 "$HERE/answers.py" expect "$WORK/logs.jsonl" "$EXP" || exit 2
fi
MSG_BYTES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["message_bytes"])' "$EXP")

declare -A KQL=(
    [Q1]='Syslog_CL | where SyslogMessage contains_cs "error" | count'
    [Q2]='Syslog_CL | where SyslogMessage contains "error" | count'
    [Q3]='Syslog_CL | where SyslogMessage matches regex @"Failed password for invalid user \w+ from (\d{1,3}\.){3}\d{1,3}" | count'
    [Q4]='Syslog_CL | where SyslogMessage matches regex @"(?i)(exception|fatal|panic|segfault)" | count'
    [Q5]='Syslog_CL | where SyslogMessage has "a65ed389b74d0fb132e706298fadc1a6" | count'
    [Q6]='Syslog_CL | summarize count() by bin(TimeGenerated, 1h), Computer'
    [Q7]='Syslog_CL | where TimeGenerated >= datetime(2024-06-10 12:00) and TimeGenerated < datetime(2024-06-10 13:00) and SyslogMessage contains_cs "error" | count'
    [Q8]='Syslog_CL | where SyslogMessage contains_cs "error" | top 100 by TimeGenerated desc | project TimeGenerated, Computer, SyslogMessage'
    [Q9]='Syslog_CL | where SeverityLevel == "error" and SyslogMessage contains_cs "timeout" | count'
)
# Queries that decode every message of the rows they scan (for raw text per CPU-second).
MSGQ=" Q1 Q2 Q3 Q4 Q5 Q7 Q8 "

# --- the node and the data ------------------------------------------------------------
node_start ${NODE_OPTS:-}   # e.g. NODE_OPTS="--ingest-queue-max 8GiB" for the 20 M-row load (sealog-load does not retry 503)
ws_create bench-ws
DCR=dcr-bench00000000000000000000000001
dcr_create "$DCR" bench-ws
LURL=$HTTPS_URL; LTLS=(--cacert "$CA")
[ "$LOAD_PROTO" = http ] && { LURL=$HTTP_URL; LTLS=(); }

waitidle load
c0=$(node_cpu); t0=$(date +%s.%N)
"$LOAD" --url "$LURL" "${LTLS[@]}" --mode li --dcr "$DCR" --stream Custom-Syslog_CL --token "$TOKEN" \
    --input "$WORK/logs.jsonl" --no-rebase-time --total-rows "$NROWS" --rows-per-post 3000 --connections 4 \
    --quiet --report-json load.json > load.txt 2>&1 || { echo "load failed:"; cat load.txt; }
admin GET "/admin/v1/dump?workspace=bench-ws&table=Syslog_CL&blocks=true" > blocks.ndjson   # flushes
wait_folded 300
c1=$(node_cpu); t1=$(date +%s.%N)
inblocks=$(grep -o '"rows":[0-9]*' blocks.ndjson | cut -d: -f2 | paste -sd+ | bc)
echo "== load [$BL_IDLE]: sealog-load --url $LURL --mode li --dcr $DCR --stream Custom-Syslog_CL --input logs.jsonl --no-rebase-time --total-rows $NROWS --rows-per-post 3000 --connections 4"
grep -E '^  (elapsed|rows|latency|errors)' load.txt | sed 's/^ */   /'
awk -v c=$((c1 - c0)) -v k="$TCK" -v r="$NROWS" -v t="$(echo "$t1 - $t0" | bc)" -v b="$inblocks" -v nb="$(wc -l < blocks.ndjson)" \
    'BEGIN {printf "   %d rows in %d blocks after %.1f s; server CPU %.2f s (%.0f rows per CPU-second, block building included)\n", b, nb, t, c/k, r/(c/k)}'
res load_rows_per_cpu_s "$(echo "$NROWS * $TCK / ($c1 - $c0)" | bc)"; res blocks "$(wc -l < blocks.ndjson)"
[ "$inblocks" = "$NROWS" ] || echo "   WARN: $inblocks rows in blocks, expected $NROWS"

qcall() {  # BODY_FILE OUT_FILE: prints curl's time_total
    curl -sS -o "$2" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -H 'Prefer: include-statistics=true' --data-binary @"$1" "$HTTP_URL/v1/workspaces/$WSID/query"
}
qbody() { python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "${KQL[$1]}" > "q/$1.json"; }

qbody Q1
out=$(qcall q/Q1.json q/count.out); echo "   check: $(python3 "$HERE/answers.py" check "$EXP" Q1 q/count.out | cut -d' ' -f1-2)"

# --- Q1-Q9 ----------------------------------------------------------------------------
printf '%-4s %-60.60s %s\n' id query "min / median wall (curl time_total median), server CPU/run -> answer; statistics"
for id in $QUERIES; do
    qbody "$id"
    waitidle "$id"
    qcall "q/$id.json" "q/$id.out" > /dev/null   # warm-up
    ts=(); cts=(); c0=$(node_cpu)
    perf_start "$id"
    for k in 1 2 3 4 5; do
        a=$(date +%s.%N); tt=$(qcall "q/$id.json" "q/$id.out"); b=$(date +%s.%N)
        ts+=("$(echo "$b - $a" | bc)"); cts+=("$tt")
    done
    c1=$(node_cpu)
    perf_stop
    sorted=($(printf '%s\n' "${ts[@]}" | sort -g)); csorted=($(printf '%s\n' "${cts[@]}" | sort -g))
    ok=ERROR answer='' rows_scanned=0 bytes_decrypted=0 blocks_read=0 blocks_pruned=0 exec_s=0
    eval "$(python3 "$HERE/answers.py" check "$EXP" "$id" "q/$id.out")"
    cpu=$(echo "scale=4; ($c1 - $c0) / $TCK / 5" | bc)
    printf '%-4s %-60.60s min %.3f s  median %.3f s (curl %.3f s)  server CPU/run %.3f s -> %s [%s]\n' \
        "$id" "${KQL[$id]}" "${sorted[0]}" "${sorted[2]}" "${csorted[2]}" "$cpu" "$answer" "$ok"
    awk -v rs="$rows_scanned" -v bd="$bytes_decrypted" -v br="$blocks_read" -v bp="$blocks_pruned" -v m="${sorted[2]}" \
        -v c="$cpu" -v ex="$exec_s" -v msg="$([[ $MSGQ == *" $id "* ]] && echo 1 || echo 0)" -v mb="$MSG_BYTES" -v n="$NROWS" 'BEGIN {
        printf "     %d rows scanned, %d blocks read, %d pruned, %.1f MB decrypted; engine %.3f s; %.1f M rows/s",
            rs, br, bp, bd/1e6, ex, rs/m/1e6;
        if (c > 0) printf ", %.0f MB decrypted per CPU-s, %.1f M rows per CPU-s", bd/c/1e6, rs/c/1e6;
        if (c > 0 && msg) printf ", %.2f GB of message text per CPU-s", rs*mb/n/c/1e9;
        print "" }'
    res "${id}_idle" "$BL_IDLE"; res "${id}_min_s" "${sorted[0]}"; res "${id}_median_s" "${sorted[2]}"
    res "${id}_curl_median_s" "${csorted[2]}"; res "${id}_cpu_s" "$cpu"; res "${id}_ok" "$ok"
    res "${id}_answer" "\"$answer\""; res "${id}_rows_scanned" "$rows_scanned"; res "${id}_bytes_decrypted" "$bytes_decrypted"
done

# --- L1: Q1 while ingesting RATE rows/s into another table ---------------------------
lat() {  # N runs of q/Q1.json, seconds per line (wall around curl, as the peer)
    local k a b
    for k in $(seq 1 "$N"); do a=$(date +%s.%N); qcall q/Q1.json q/lat.out > /dev/null; b=$(date +%s.%N); echo "$b - $a" | bc; done
}
wait_ingesting() {  # until the node's ingested-row counter moves (the generator has started)
    local r0 k; r0=$(metric sealog_ingest_rows_total)
    for k in $(seq 1 600); do [ "$(metric sealog_ingest_rows_total)" != "$r0" ] && return 0; sleep 0.1; done
}
if [[ " $LATENCY " == *" L1 "* ]]; then
    qbody Q1
    waitidle L1
    idle=$(lat | pct); echo "L1 latency idle           Q1: $idle"
    "$LOAD" --url "$LURL" "${LTLS[@]}" --mode dc --workspace-id "$WSID" --shared-key "$WSKEY" --log-type Ingest \
        --time-field --input "$WORK/logs.jsonl" --rate "$RATE" --rows-per-post 10000 --connections 4 --ring-mb 64 \
        --duration 3600 --quiet > l1load.txt 2>&1 &
    LPID=$!
    wait_ingesting; sleep 2
    r0=$(metric sealog_ingest_rows_total); t0=$(date +%s.%N); c0=$(node_cpu)
    perf_start L1
    loaded=$(lat | pct)
    perf_stop
    r1=$(metric sealog_ingest_rows_total); t1=$(date +%s.%N); c1=$(node_cpu)
    kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
    rate=$(echo "($r1 - $r0) / ($t1 - $t0)" | bc)
    echo "L1 latency ingest@$RATE Q1: $loaded   (ingested $rate rows/s meanwhile; node CPU $(echo "scale=2; ($c1 - $c0) / $TCK / ($t1 - $t0) * 100" | bc)% of one core)"
    echo "   load: sealog-load --url $LURL --mode dc --log-type Ingest --time-field --input logs.jsonl --rate $RATE --rows-per-post 10000 --connections 4 --ring-mb 64"
    res L1_idle "$BL_IDLE"; res L1_idle_lat "\"$idle\""; res L1_load_lat "\"$loaded\""; res L1_rate "$rate"
    res L1_p99_ms "$(echo "$loaded" | sed -n 's/.*p99=\([0-9.]*\) ms.*/\1/p')"
    res L1_p50_ms "$(echo "$loaded" | sed -n 's/.*p50=\([0-9.]*\) ms.*/\1/p')"
fi

# --- L2: ack to queryable under I2's load ---------------------------------------------
if [[ " $LATENCY " == *" L2 "* ]]; then
    waitidle L2
    "$LOAD" --url "$LURL" "${LTLS[@]}" --mode dc --workspace-id "$WSID" --shared-key "$WSKEY" --log-type Live \
        --time-field --input "$WORK/logs.jsonl" --rows-per-post 1000 --connections 8 --ring-mb 64 \
        --duration 3600 --quiet > l2load.txt 2>&1 &
    LPID=$!
    wait_ingesting; sleep 2
    r0=$(metric sealog_ingest_rows_total); t0=$(date +%s.%N)
    perf_start L2
    l2=$(python3 "$HERE/l2probe.py" --url "$HTTP_URL" --workspace-id "$WSID" --shared-key "$WSKEY" --token "$TOKEN" \
        --log-type Live --probes "$L2_PROBES" --json l2.json)
    perf_stop
    r1=$(metric sealog_ingest_rows_total); t1=$(date +%s.%N)
    kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
    rate=$(echo "($r1 - $r0) / ($t1 - $t0)" | bc)
    echo "L2 ack -> queryable under I2 ($rate rows/s ingested meanwhile): $l2"
    echo "   load: sealog-load --url $LURL --mode dc --log-type Live --time-field --input logs.jsonl --rows-per-post 1000 --connections 8 --ring-mb 64"
    res L2_rate "$rate"
    for kv in $l2; do res "L2_${kv%%=*}" "${kv#*=}"; done
fi
node_stop
echo "results: $RES"
