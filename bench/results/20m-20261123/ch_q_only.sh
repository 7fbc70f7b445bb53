#!/bin/bash
# ClickHouse side-by-side log benchmark (Debian 12, clickhouse-server 18.16 from Debian main).
# Usage: WORK=<scratch dir> ROWS=2000000 bash ch_sidebyside.sh      (needs: clickhouse-server, curl, bc, python3)
# Everything lives under $WORK; the server listens on 127.0.0.1 only, on non-default ports, and is stopped at the end.
set -u
WORK=${WORK:-$(mktemp -d)}; ROWS=${ROWS:-2000000}; HTTP_PORT=${HTTP_PORT:-18123}; RATE=${RATE:-50000}; N=${N:-60}
mkdir -p "$WORK"; cd "$WORK" || exit 1
CH="http://127.0.0.1:$HTTP_PORT/"; TCK=$(getconf CLK_TCK)
# --- helpers -------------------------------------------------------------------------------
waitidle() {  # block until the rest of the machine uses <10% CPU for 1 s (shared hosts)
  local k u ni sy id io irq sirq st rest t1 i1 t2 i2 busy
  for k in $(seq 1 120); do
    read -r _ u ni sy id io irq sirq st rest < /proc/stat; t1=$((u+ni+sy+id+io+irq+sirq+st)); i1=$((id+io)); sleep 1
    read -r _ u ni sy id io irq sirq st rest < /proc/stat; t2=$((u+ni+sy+id+io+irq+sirq+st)); i2=$((id+io))
    busy=$(( 100 - 100*(i2-i1)/(t2-t1) )); [ "$busy" -lt 10 ] && return 0
  done; echo "WARN: host busy (${busy}%)" >&2; }
q()   { curl -sS "$CH" --data-binary "$1"; }
cpu() { awk '{print $14+$15}' /proc/"$(cat ch.pid)"/stat; }          # server utime+stime (ticks)
pct() { sort -g | awk '{a[NR]=$1} END{i99=int(NR*0.99); if(i99<NR*0.99)i99++; printf "n=%d p50=%.0f ms p90=%.0f ms p99=%.0f ms\n", NR, a[int(NR*0.5+0.5)]*1000, a[int(NR*0.9+0.5)]*1000, a[i99]*1000}'; }
# --- 1. data: deterministic syslog-like rows (text + JSONEachRow) ------------------------------
cat > genlogs.py <<'EOF'
import random, sys, json, datetime
N = int(sys.argv[1]); pre = sys.argv[2]; r = random.Random(42)
hosts = [f"web-{i:02d}.prod.example.net" for i in range(30)] + [f"db-{i:02d}.prod.example.net" for i in range(10)] + [f"k8s-node-{i:02d}" for i in range(10)]
apps = ["sshd","nginx","kernel","CRON","systemd","postgres","api-gateway","worker","dockerd","kubelet"]
users = ["root","admin","deploy","alice","bob","carol","git","ubuntu","postgres","test","oracle","guest"]
paths = ["users","orders","items","cart","search","auth/login","auth/refresh","metrics","health","upload"]
sevs = [s for s,w in [("debug",9),("info",70),("notice",5),("warning",10),("error",5),("crit",1)] for _ in range(w)]
def ip(): return f"{r.randint(1,223)}.{r.randint(0,255)}.{r.randint(0,255)}.{r.randint(1,254)}"
def hx(n): return "%0*x" % (n, r.getrandbits(4*n))
def msg(app, sev):
    if app == "sshd":
        if sev in ("error","warning","crit"): return f"Failed password for invalid user {r.choice(users)} from {ip()} port {r.randint(1024,65535)} ssh2"
        return f"Accepted publickey for {r.choice(users)} from {ip()} port {r.randint(1024,65535)} ssh2: RSA SHA256:{hx(43)}"
    if app in ("nginx","api-gateway"):
        st = r.choice([200]*20+[201,204,301,302,304,400,401,403,404]) if sev not in ("error","crit") else r.choice([500,502,503,504])
        m = f'{ip()} - - "{r.choice(["GET","GET","GET","POST","PUT","DELETE"])} /api/v1/{r.choice(paths)}/{r.randint(1,10**7)}?trace_id={hx(32)} HTTP/1.1" {st} {r.randint(0,200000)} "-" "Mozilla/5.0 (X11; Linux x86_64)" rt={r.random()*2:.3f}'
        return ("upstream error: connect() failed (111: Connection refused) while connecting to upstream, client: " + m) if sev == "error" else m
    if app == "kernel":
        if sev in ("error","crit"): return f"[{r.uniform(1,9e5):.6f}] EXT4-fs error (device sda{r.randint(1,4)}): ext4_find_entry:{r.randint(1000,2000)}: inode #{r.randint(1,10**7)}: comm {r.choice(apps)}: reading directory lblock 0"
        return f"[{r.uniform(1,9e5):.6f}] IPv4: martian source {ip()} from {ip()}, on dev eth{r.randint(0,3)}"
    if app == "CRON": return f"({r.choice(users)}) CMD (/usr/local/bin/backup.sh --target s3://bucket-{r.randint(1,40)}/daily >/dev/null 2>&1)"
    if app == "systemd": return f"Started Session {r.randint(1,99999)} of User {r.choice(users)}." if sev != "error" else f"{r.choice(apps)}.service: Main process exited, code=exited, status={r.randint(1,255)}/FAILURE"
    if app == "postgres":
        if sev == "error": return f"ERROR:  duplicate key value violates unique constraint \"orders_pkey\" DETAIL: Key (id)=({r.randint(1,10**8)}) already exists. STATEMENT: INSERT INTO orders VALUES ($1,$2,$3)"
        return f"LOG:  duration: {r.random()*500:.3f} ms  statement: SELECT * FROM orders WHERE customer_id = {r.randint(1,10**6)} AND status = 'open'"
    if app == "worker":
        if sev == "error": return f"job {hx(8)}-{hx(4)}-{hx(4)}-{hx(4)}-{hx(12)} failed: error: database query timeout after {r.randint(1000,30000)}ms (attempt {r.randint(1,5)})"
        return f"job {hx(8)}-{hx(4)}-{hx(4)}-{hx(4)}-{hx(12)} processed in {r.randint(1,5000)} ms queue=default items={r.randint(1,500)}"
    return f'level={sev} msg="Container {hx(12)} health status changed" pod=app-{r.randint(1,300)}-{hx(5)} namespace=prod-{r.randint(1,9)} duration={r.randint(1,900)}ms'
t0 = 1718000000_000; span = 24*3600*1000
with open(pre + ".txt", "w") as ft, open(pre + ".jsonl", "w") as fj:
    for i in range(N):
        ts = t0 + (i * span) // N + r.randint(0, 999)
        host = r.choice(hosts); app = r.choice(apps); sev = r.choice(sevs); pid = r.randint(100, 65000); m = msg(app, sev)
        d = datetime.datetime.utcfromtimestamp(ts/1000)
        ft.write(f"{d.strftime('%Y-%m-%dT%H:%M:%S.')}{ts%1000:03d}Z {host} {app}[{pid}]: <{sev}> {m}\n")
        fj.write(json.dumps({"ts": d.strftime("%Y-%m-%d %H:%M:%S"), "ts_ms": ts, "host": host, "app": app, "severity": sev, "message": m}, separators=(",",":")) + "\n")
EOF
[ -s logs.jsonl ] || python3 genlogs.py "$ROWS" logs
DATA=logs.jsonl; NROWS=$(wc -l < $DATA); JBYTES=$(stat -c %s $DATA); TBYTES=$(stat -c %s logs.txt)
echo "data: $NROWS rows; JSONEachRow $JBYTES bytes; raw text $TBYTES bytes"
# --- 2. private server config: loopback only, own ports, own dirs, optional zstd ------------
start_server() {  # $1 = lz4|zstd
  local pkgcfg; pkgcfg=$(dpkg -L clickhouse-server | grep '/config.xml$'); mkdir -p data log
  cp "$pkgcfg" config.xml; cp "$(dirname "$pkgcfg")/users.xml" users.xml
  sed -i -e "s#<log>.*</log>#<log>$WORK/log/server.log</log>#" -e "s#<errorlog>.*</errorlog>#<errorlog>$WORK/log/server.err.log</errorlog>#" \
    -e "0,/<path>[^<]*<\/path>/s#<path>[^<]*</path>#<path>$WORK/data/</path>#" -e "s#<tmp_path>.*</tmp_path>#<tmp_path>$WORK/data/tmp/</tmp_path>#" \
    -e "s#<user_files_path>.*</user_files_path>#<user_files_path>$WORK/data/user_files/</user_files_path>#" \
    -e "s#<format_schema_path>.*</format_schema_path>#<format_schema_path>$WORK/data/format_schemas/</format_schema_path>#" \
    -e "s#<http_port>8123</http_port>#<http_port>$HTTP_PORT</http_port>#" -e "s#<tcp_port>9000</tcp_port>#<tcp_port>$((HTTP_PORT+877))</tcp_port>#" \
    -e "s#<interserver_http_port>9009</interserver_http_port>#<interserver_http_port>$((HTTP_PORT+886))</interserver_http_port>#" \
    -e "s#    <!-- <listen_try>0</listen_try> -->#    <listen_host>127.0.0.1</listen_host>#" config.xml
  [ "$1" = zstd ] && sed -i 's#<compression incl="clickhouse_compression">#<compression><case><min_part_size>0</min_part_size><min_part_size_ratio>0</min_part_size_ratio><method>zstd</method></case>#' config.xml
  nohup clickhouse-server --config-file="$WORK/config.xml" > server.stdout 2>&1 &
  echo $! > ch.pid
  for k in $(seq 1 60); do q "SELECT 1" >/dev/null 2>&1 && break; sleep 0.5; done
  echo "server $(q 'SELECT version()') pid $(cat ch.pid) compression=$1 listening:"; ss -ltnp | grep "pid=$(cat ch.pid)," | awk '{print "  "$4}'
}
stop_server() { echo "server peak RSS: $(awk '/VmHWM/{printf "%.0f MiB", $2/1024}' /proc/"$(cat ch.pid)"/status)"; kill -TERM "$(cat ch.pid)"; for k in $(seq 1 60); do kill -0 "$(cat ch.pid)" 2>/dev/null || break; sleep 0.5; done; echo "server stopped"; }
DDL="(ts DateTime, ts_ms UInt64, host String, app String, severity String, message String) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (host, ts)"
run() {  # name sql : 1 warm-up + 5 timed; min/median wall; server CPU per run
  local name="$1" sql="$2" ts=() a b c0 c1 out sorted; waitidle; q "$sql FORMAT Null" >/dev/null; c0=$(cpu)
  for k in 1 2 3 4 5; do a=$(date +%s.%N); out=$(q "$sql"); b=$(date +%s.%N); ts+=("$(echo "$b - $a" | bc)"); done; c1=$(cpu)
  sorted=($(printf '%s\n' "${ts[@]}" | sort -g))
  printf '  %-24s min %.3f s  median %.3f s  server CPU/run %.3f s  -> %s\n' "$name" "${sorted[0]}" "${sorted[2]}" "$(echo "($c1 - $c0)/$TCK/5" | bc -l)" "$(echo $out | head -c 60)"; }
bench() {  # $1 = lz4|zstd
  start_server "$1"
  q "DROP TABLE IF EXISTS logs"; q "CREATE TABLE logs $DDL"
  waitidle; local c0 c1 t0 t1; c0=$(cpu); t0=$(date +%s.%N)
  curl -sS --fail -o /dev/null -X POST -T $DATA "${CH}?query=INSERT%20INTO%20logs%20FORMAT%20JSONEachRow" || echo "INSERT FAILED"
  t1=$(date +%s.%N); c1=$(cpu)
  awk -v r=$NROWS -v b=$JBYTES -v t="$(echo "$t1 - $t0" | bc)" -v c=$((c1-c0)) -v k=$TCK 'BEGIN{printf "INSERT 1 request: %.2f s -> %.0f rows/s, %.1f MB/s JSON; server %.2f CPU-s (%.0f rows/s per CPU-s)\n", t, r/t, b/t/1e6, c/k, r/(c/k)}'
  sleep 5
  q "SELECT sum(bytes) FROM system.parts WHERE table='logs' AND active" | awk -v j=$JBYTES -v t=$TBYTES '{printf "on disk %d bytes: %.2fx vs JSON, %.2fx vs raw text\n", $1, j/$1, t/$1}'
  q "SELECT name, data_compressed_bytes, data_uncompressed_bytes FROM system.columns WHERE database=currentDatabase() AND table='logs' AND name='message'" | awk '{printf "message column %.2fx\n", $3/$2}'
  run "count()"               "SELECT count() FROM logs"
  run "contains_cs error"     "SELECT count() FROM logs WHERE message LIKE '%error%'"
  run "contains error (ci)"   "SELECT count() FROM logs WHERE positionCaseInsensitive(message, 'error') > 0"
  run "regex literal-led"     "SELECT count() FROM logs WHERE match(message, 'Failed password for invalid user \\\\w+ from (\\\\d{1,3}\\\\.){3}\\\\d{1,3}')"
  run "regex ci alternation"  "SELECT count() FROM logs WHERE match(message, '(?i)(exception|fatal|panic|segfault)')"
  run "count by hour, host"   "SELECT toStartOfHour(ts) AS h, host, count() FROM logs GROUP BY h, host ORDER BY h, host"
  run "severity & contains"   "SELECT count() FROM logs WHERE severity = 'error' AND message LIKE '%timeout%'"
  run "1h window & contains"  "SELECT count() FROM logs WHERE ts >= toDateTime('2024-06-10 12:00:00') AND ts < toDateTime('2024-06-10 13:00:00') AND message LIKE '%error%'"
  run "rare term (1 row)"    "SELECT count() FROM logs WHERE message LIKE '%a65ed389b74d0fb132e706298fadc1a6%'"
  run "last 100 matching"     "SELECT ts, host, message FROM logs WHERE message LIKE '%error%' ORDER BY ts DESC LIMIT 100"
  q "DROP TABLE logs"; stop_server
}
echo "host: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB"
bench lz4
bench zstd
rm -rf chunks10k chunks1k data log
