#!/bin/bash
# Ingestion benchmarks I1, I2, I3, S1, S2 of BENCHMARKS.md for sealog, on the shared
# generator's data (the peer's logs.jsonl), with the node's CPU and per-stage split.
#
#   WORK=/tmp/sealog-bench bench/ingest.sh
#   env: ROWS=2000000 (rows to generate when $WORK/logs.jsonl is absent)
#        PROTOS="https http"  transports to run (HTTPS listener, loopback plain HTTP)
#        WORKLOADS="I1 I2 I3" SECS=20 (length of the I2 and I3 runs)
#        BUILD=build IDLE_TRIES=120 PERF=1 (profile the node per workload)
#
# Workloads (sealog-load, Data Collector API, SharedKey-signed, rows mapped as
# BENCHMARKS.md says, durable: every 2xx comes after the WAL fsync):
#   I1  the whole file in 10k-row posts over 4 connections (closed loop)
#   I2  1k-row posts over 8 connections for SECS seconds; p99 time to ack
#   I3  1-record posts over 64 keep-alive connections for SECS seconds; p99
#   S1  bytes on disk after I1: the node stopped, every row in blocks
#   S2  the node's peak RSS (VmHWM) over I1, the node started fresh for it
# Each workload runs on a fresh node. Server CPU comes from /proc/PID/stat twice:
# at the last acknowledgement, and once every acknowledged row is in a block
# (block_flush_interval later) — the second is the whole cost of ingesting.
# The stage split is sealog_store_stage_seconds_total: wall time each stage
# spent, summed over the threads that run it (parse: request parsing on the
# thread pool; wal_write: sealing + write + fdatasync on the WAL thread;
# encode/compress/encrypt: block building; commit: the LMDB segment commits).
# Results: a report on stdout, KEY=VALUE lines in $WORK/results/ingest.env.
set -u
. "$(dirname "$0")/benchlib.sh"
PROTOS=${PROTOS:-"https http"}; WORKLOADS=${WORKLOADS:-"I1 I2 I3"}; SECS=${SECS:-20}
ensure_data
cd "$WORK" || exit 2
RES="$WORK/results/ingest.env"; : > "$RES"
M=$(machine); echo "$M"; res machine "\"$M\""
echo "data: $NROWS rows, $JBYTES bytes of JSON ($WORK/logs.jsonl)"
res rows "$NROWS"; res json_bytes "$JBYTES"

# lj FILE EXPR: a figure from a sealog-load --report-json file (d is the object).
lj() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# run_load NAME SEALOG-LOAD-OPTIONS...: one measured run against the node of the moment.
run_load() {
    local name=$1; shift
    local url=$HTTPS_URL tls=(--cacert "$CA")
    [ "$P" = http ] && { url=$HTTP_URL; tls=(); }
    waitidle "$name"
    local c0 c1 c2 s0 s2 w0 w2 t0 t1 t2 lrc
    c0=$(node_cpu); s0=$(stages); w0=$(metric sealog_wal_commits_total); t0=$(date +%s.%N)
    perf_start "$name"
    "$LOAD" --url "$url" "${tls[@]}" --mode dc --workspace-id "$WSID" --shared-key "$WSKEY" \
        --time-field --input "$WORK/logs.jsonl" --quiet --report-json "$name.json" "$@" > "$name.txt" 2>&1
    lrc=$?
    c1=$(node_cpu); t1=$(date +%s.%N)
    wait_folded 300
    c2=$(node_cpu); s2=$(stages); w2=$(metric sealog_wal_commits_total); t2=$(date +%s.%N)
    perf_stop
    echo "== $name [$BL_IDLE]: sealog-load --url $url --mode dc --time-field --input logs.jsonl $*"
    [ "$lrc" = 0 ] || { echo "   sealog-load exit $lrc:"; sed 's/^/   | /' "$name.txt"; }
    local rows el rps mbs rqs p50 p99 p999 errs cl stalls
    rows=$(lj "$name.json" 'd["rows"]'); el=$(lj "$name.json" 'd["elapsed_s"]')
    rps=$(lj "$name.json" 'round(d["rows_per_s"])'); mbs=$(lj "$name.json" 'round(d["mb_per_s"],1)')
    rqs=$(lj "$name.json" 'round(d["requests_per_s"])')
    p50=$(lj "$name.json" 'round(d["latency"]["p50_ns"]/1e6,2)'); p99=$(lj "$name.json" 'round(d["latency"]["p99_ns"]/1e6,2)')
    p999=$(lj "$name.json" 'round(d["latency"]["p999_ns"]/1e6,2)'); errs=$(lj "$name.json" 'd["errors"]["total"]')
    cl=$(lj "$name.json" 'round(d["client_cpu_s"]["user"]+d["client_cpu_s"]["sys"],2)')
    stalls=$(lj "$name.json" 'd["feed_stalls"]')
    printf '   %s rows in %.2f s: %s rows/s, %s MB/s of JSON, %s requests/s; ack latency p50 %s ms, p99 %s ms, p99.9 %s ms; errors %s; generator stalls %s; client CPU %s s\n' \
        "$rows" "$el" "$rps" "$mbs" "$rqs" "$p50" "$p99" "$p999" "$errs" "$stalls" "$cl"
    awk -v a=$((c1 - c0)) -v b=$((c2 - c0)) -v k="$TCK" -v r="$rows" -v t="$el" -v tf="$(echo "$t2 - $t1" | bc)" 'BEGIN {
        printf "   server CPU: %.2f s to the last ack (%.0f%% of 2 cores), %.2f s once all rows were in blocks (%.1f s later)\n", a/k, 100*a/k/t/2, b/k, tf;
        printf "   -> %.0f rows per server CPU-second (%.0f to the last ack)\n", r/(b/k), r/(a/k) }'
    local commits=$((${w2%.*} - ${w0%.*}))
    paste <(echo "$s0" | tr ' ' '\n' | paste - -) <(echo "$s2" | tr ' ' '\n' | paste - -) | awk -v r="$rows" -v cpu=$((c2 - c0)) -v k="$TCK" -v g="$commits" -v t="$el" '
        NF == 4 { d = $4 - $2; sum += d; line = line sprintf("%s %.2f s (%.2f us/row)  ", $1, d, 1e6*d/r) }
        END { printf "   stages (wall, summed over threads): %s\n   stages total %.2f s vs server CPU %.2f s; WAL group commits %d (%.0f rows each, %.1f per second)\n", line, sum, cpu/k, g, r/(g>0?g:1), g/t }' \
        | sed 's/   stages total/\n   stages total/' | grep -v '^$'
    res "${name}_idle" "$BL_IDLE"; res "${name}_rows" "$rows"; res "${name}_elapsed_s" "$el"
    res "${name}_rows_s" "$rps"; res "${name}_mb_s" "$mbs"; res "${name}_req_s" "$rqs"
    res "${name}_p50_ms" "$p50"; res "${name}_p99_ms" "$p99"; res "${name}_errors" "$errs"
    res "${name}_cpu_s" "$(echo "scale=2; ($c2 - $c0) / $TCK" | bc)"
    res "${name}_cpu_ack_s" "$(echo "scale=2; ($c1 - $c0) / $TCK" | bc)"
    res "${name}_rows_per_cpu_s" "$(echo "$rows * $TCK / ($c2 - $c0)" | bc)"
    res "${name}_stages" "\"$(paste <(echo "$s0" | tr ' ' '\n' | paste - -) <(echo "$s2" | tr ' ' '\n' | paste - -) | awk 'NF == 4 {printf "%s=%.2f ", $1, $4 - $2}')\""
}

for P in $PROTOS; do
    for W in $WORKLOADS; do
        node_start
        ws_create bench-ws
        case $W in
        I1)
            run_load "I1_$P" --connections 4 --rows-per-post 10000 --total-rows "$NROWS"
            hwm=$(node_hwm)
            echo "== S2_$P: peak RSS of the node (fresh start, then I1): $hwm MiB"
            res "S2_${P}_mib" "$hwm"
            blocks=$(metric sealog_blocks_written_total); bbytes=$(metric sealog_block_bytes_total)
            node_stop
            # S1: the node stopped cleanly with every acknowledged row in blocks. Counted:
            # segments/ (the LMDB segment files: sealed blocks and their keys) and catalog/
            # (schemas, the block index, wrapped keys). Listed apart: the WAL, whose
            # records are all in blocks by now but whose active file is only released
            # when the next one starts (at wal_file_size), and keys/ + tls/.
            seg=$(du -sb "$NODE_DIR/data/segments" | cut -f1); cat=$(du -sb "$NODE_DIR/data/catalog" | cut -f1)
            wal=$(du -sb "$NODE_DIR/data/wal" | cut -f1); other=$(du -sbc "$NODE_DIR/data/keys" "$NODE_DIR/data/tls" | tail -1 | cut -f1)
            segk=$(du -sk "$NODE_DIR/data/segments" | cut -f1)
            echo "== S1_$P: on disk after I1, every row in blocks: segments $seg B (allocated $((segk * 1024)) B) + catalog $cat B = $((seg + cat)) B;" \
                "$blocks blocks, $bbytes B of sealed blocks; also WAL $wal B (folded, not yet released), keys+tls $other B"
            awk -v s=$((seg + cat)) -v j="$JBYTES" -v r="$NROWS" 'BEGIN {printf "   %.2fx smaller than the JSON, %.1f bytes per row\n", j/s, s/r}'
            res "S1_${P}_bytes" $((seg + cat)); res "S1_${P}_segments" "$seg"; res "S1_${P}_catalog" "$cat"
            res "S1_${P}_wal" "$wal"; res "S1_${P}_blocks" "$blocks"
            ;;
        I2)
            run_load "I2_$P" --connections 8 --rows-per-post 1000 --duration "$SECS"
            node_stop ;;
        I3)
            run_load "I3_$P" --connections 64 --rows-per-post 1 --duration "$SECS" --ring-mb 64
            node_stop ;;
        esac
    done
done
echo "results: $RES"
