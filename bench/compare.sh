#!/bin/bash
# The side-by-side of BENCHMARKS.md in one session: the peer (ClickHouse 18.16, run by
# the shared ch_sidebyside.sh), then sealog's ingest.sh and query.sh on the same
# logs.jsonl (same WORK dir), each waiting for an idle machine before every measurement;
# then the table of ratios sealog / peer for every row, with the target beside it.
#
#   WORK=/tmp/sealog-bench bench/compare.sh
#   env: ROWS=2000000, PHASES="ch ingest query report" (run a subset; "report" alone
#        reprints the table from the logs of an earlier session), RATE=100000 (L1's
#        background ingestion, both sides), N=60, BUILD=build, IDLE_TRIES=120
#
# Logs: $WORK/results/{ch.txt,ingest.txt,query_<rows>.txt} and the *.env files the
# sealog scripts write; the table goes to stdout and $WORK/results/compare.txt.
#
# Which peer figure each row is compared with:
#   I1  rows/s of the peer's one-request bulk INSERT (lz4 table; the faster of its two
#       inserts), sealog's I1 over HTTPS and over plain HTTP
#   I2  rows/s of the peer's sequential 1k-row INSERTs (its script has no concurrent
#       shape); p99 ack has an absolute target
#   I3  absolute targets (the peer has no single-record shape)
#   S1  the peer's bytes on disk with zstd (system.parts, active parts)
#   S2  absolute target; the peer's peak RSS is shown
#   Q*  the peer's median over 5 runs, the faster of its lz4 and zstd tables
#   L1  the peer's p99 of "contains" while its paced ingest runs (RATE rows/s)
#   L2  absolute target (p99 ack -> queryable)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export WORK=${WORK:-/tmp/sealog-bench} ROWS=${ROWS:-2000000} RATE=${RATE:-100000} N=${N:-60}
PHASES=${PHASES:-"ch ingest query report"}
mkdir -p "$WORK/results"
WORK=$(cd "$WORK" && pwd)
R="$WORK/results"
PEER=${PEER:-/work/shared/bench/ch_sidebyside.sh}
[ -f "$PEER" ] || PEER="$HERE/../../shared/bench/ch_sidebyside.sh"

phase() { [[ " $PHASES " == *" $1 "* ]]; }

echo "session $(date -u +%FT%TZ), WORK=$WORK ROWS=$ROWS RATE=$RATE N=$N" | tee -a "$R/session.log"
if phase ch; then
    # The peer's script verbatim but for one number: its waitidle gives up after 120 s,
    # ours after IDLE_TRIES, so that both sides wait alike on a machine that stays busy.
    sed "s/for k in \$(seq 1 120); do/for k in \$(seq 1 ${IDLE_TRIES:-120}); do/" "$PEER" > "$WORK/ch_sidebyside.sh"
    echo "== peer: WORK=$WORK ROWS=$ROWS RATE=$RATE N=$N bash $PEER (waitidle bound ${IDLE_TRIES:-120} s)" | tee -a "$R/session.log"
    (WORK="$WORK" ROWS="$ROWS" RATE="$RATE" N="$N" bash "$WORK/ch_sidebyside.sh") 2>&1 | tee "$R/ch.txt"
fi
if phase ingest; then
    echo "== sealog ingest: bench/ingest.sh ($(date -u +%TZ))" | tee -a "$R/session.log"
    "$HERE/ingest.sh" 2>&1 | tee "$R/ingest.txt"
fi
if phase query; then
    NR=$(wc -l < "$WORK/logs.jsonl")
    echo "== sealog query: bench/query.sh ($(date -u +%TZ))" | tee -a "$R/session.log"
    "$HERE/query.sh" 2>&1 | tee "$R/query_$NR.txt"
fi
echo "session end $(date -u +%FT%TZ)" | tee -a "$R/session.log"
phase report || exit 0

NR=$(wc -l < "$WORK/logs.jsonl")
python3 "$HERE/ratios.py" "$R" "$NR" "$RATE" | tee "$R/compare.txt"
