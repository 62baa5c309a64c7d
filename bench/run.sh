#!/usr/bin/env bash
# Tollgate load benchmark: the gateway against its own baselines, measured in one run on this machine.
#
#   bench/run.sh            3 interleaved rounds            (about 7.5 minutes)
#   bench/run.sh --quick    1 round, shorter runs           (about 2.5 minutes)
#   bench/run.sh --soak 10  the same, then a 10-minute soak of the gateway's memory (P7)
#
# Targets, all on 127.0.0.1, all proxying to one zero-latency mock (the gateway's own `mock` command):
#   direct   the mock itself                                           :19000
#   gateway  tollgate with bench/gateway.yaml: the production profile  :18080 (admin :18081)
#            (virtual key with rate limits, team budget, spend ledger, access log, metrics)
#   bare     tollgate with bench/gateway-bare.yaml: none of that       :18082 (admin :18083)
#   nginx    nginx proxy_pass with keep-alive                          :18090 (skipped when nginx-light cannot be installed)
# For each round and each target: concurrency 1 (latency p50/p99), then concurrency 16 and 64 (throughput).
# Then, each against direct-to-mock in the same run, in rounds of their own (each optional):
#   large bodies  1 KB, 256 KB and 1 MB requests at concurrency 1 with wrk (P6)
#   open loop     a fixed rate (half the gateway's c64 throughput) on a 20 ms mock (:19002) (P4)
#   SSE           1, 64 and 512 concurrent streams of 64 events 20 ms apart from a paced mock (:19001) (P5)
# The last two use the Java clients of the bench module (bench/target/tollgate-bench.jar, built when missing).
# The goals are judged on `gateway`; `bare` shows what its features cost. With --soak, a steady load on the
# gateway at the end, sampling its RSS (P7).
# Prints a table of medians over rounds and the same-run ratios docs/performance goals ask for, and writes
# everything to bench/results/<timestamp>.json. See bench/README.md for the method.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/run.sh [--quick] [--rounds N] [--no-nginx] [--no-bare] [--no-large-bodies] [--no-open-loop] [--no-sse]
                    [--open-rate N] [--soak MINUTES] [--keep-logs]
  --quick            1 round with shorter runs (about 2.5 minutes once the jars are built)
  --rounds N         number of interleaved rounds (default 3; the median is reported)
  --no-nginx         skip the nginx proxy_pass baseline
  --no-bare          skip the bare gateway (no keys, limits, budget, ledger or access log) and the cost of features
  --no-large-bodies  skip the large-body scenario (P6)
  --no-open-loop     skip the open-loop fixed-rate scenario (P4)
  --no-sse           skip the SSE streaming scenario (P5)
  --open-rate N      open-loop rate in requests/s (default: 50% of the gateway's median c64 throughput)
  --soak MINUTES     after everything else, MINUTES (2 to 120) of steady load on the gateway (half the open-loop
                     rate on the 20 ms mock plus 64 SSE streams), sampling its RSS every 5 s; --soak 10 is the P7 check
  --keep-logs        keep the work directory (server logs, raw wrk and client output) instead of deleting it
environment:
  WRK_THREADS   wrk threads for the throughput runs (default 2)
  OPEN_RATE_CAP highest open-loop rate chosen automatically (default 5000 req/s; --open-rate overrides)
  SOAK_RATE     the soak's request rate (default half the open-loop rate)
  BENCH_API_KEY the virtual key sent as a Bearer token (default tg-bench-not-a-secret, whose hash is in gateway.yaml)
  BENCH_PORT_OFFSET  added to every port above (default 0), for a machine where they are taken
  TOLLGATE_JAVA_OPTS   extra JVM flags for the gateway and the mock (see ../tollgate)
EOF
}

BENCH_DIR="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd -P "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="$BENCH_DIR/results"

# The ports as bench/gateway.yaml and bench/gateway-bare.yaml write them; the servers run on these plus the offset.
PORT_OFFSET="${BENCH_PORT_OFFSET:-0}"
case "$PORT_OFFSET" in ''|*[!0-9]*) echo "bench: BENCH_PORT_OFFSET must be a whole number" >&2; exit 2 ;; esac
[ "$PORT_OFFSET" -le 40000 ] || { echo "bench: BENCH_PORT_OFFSET must be at most 40000" >&2; exit 2; }
MOCK_PORT=$((19000 + PORT_OFFSET)) SSE_MOCK_PORT=$((19001 + PORT_OFFSET)) SLOW_MOCK_PORT=$((19002 + PORT_OFFSET))
GW_PORT=$((18080 + PORT_OFFSET)) GW_ADMIN_PORT=$((18081 + PORT_OFFSET))
BARE_PORT=$((18082 + PORT_OFFSET)) BARE_ADMIN_PORT=$((18083 + PORT_OFFSET)) NGINX_PORT=$((18090 + PORT_OFFSET))
PATH_CHAT=/v1/chat/completions
# The production profile requires a virtual key: gateway.yaml holds the SHA-256 of this published one. wrk (chat.lua)
# and the Java clients send BENCH_API_KEY as a Bearer token, to every target (the mock and nginx ignore it).
export BENCH_API_KEY="${BENCH_API_KEY:-tg-bench-not-a-secret}"
BENCH_KEY_NAME=bench BENCH_TEAM=bench   # the key's name and team in gateway.yaml, as metrics label them

# ---- arguments ---------------------------------------------------------------------------------------------
quick=0 rounds="" use_nginx=1 use_bare=1 keep_logs=0 do_large=1 do_open=1 do_sse=1 open_rate="" soak_min=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --rounds) [ $# -ge 2 ] || { usage >&2; exit 2; }; rounds="$2"; shift ;;
    --rounds=*) rounds="${1#*=}" ;;
    --no-nginx) use_nginx=0 ;;
    --no-bare) use_bare=0 ;;
    --no-large-bodies) do_large=0 ;;
    --no-open-loop) do_open=0 ;;
    --no-sse) do_sse=0 ;;
    --open-rate) [ $# -ge 2 ] || { usage >&2; exit 2; }; open_rate="$2"; shift ;;
    --open-rate=*) open_rate="${1#*=}" ;;
    --soak) [ $# -ge 2 ] || { usage >&2; exit 2; }; soak_min="$2"; shift ;;
    --soak=*) soak_min="${1#*=}" ;;
    --keep-logs) keep_logs=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  : "${rounds:=1}"; WARMUP_S=6 LAT_S=4 THR_S=4
  LARGE_S=1 OPEN_PREWARM_S=1 OPEN_WARM_S=1 OPEN_S=4 SSE_STREAMS="1=2,64=1,512=1"
else
  : "${rounds:=3}"; WARMUP_S=10 LAT_S=8 THR_S=6
  LARGE_S=2 OPEN_PREWARM_S=2 OPEN_WARM_S=1 OPEN_S=4 SSE_STREAMS="1=2,64=1,512=1"
fi
# SSE scenario: 64 events 20 ms apart. The mock cuts a 256-character tool-call argument string (64 estimated
# tokens, see SseLoad.java) into --chunks pieces and paces them at tokens / tokens-per-second / chunks apart:
# 64 / 50 / 64 = 20 ms.
SSE_EVENTS=64 SSE_TPS=50 SSE_CONCURRENCIES="1,64,512"
LARGE_SIZES=(1024 262144 1048576)
case "$open_rate" in ''|*[!0-9]*) [ -z "$open_rate" ] || { echo "bench: --open-rate needs a positive integer" >&2; exit 2; } ;; esac
[ "$open_rate" != 0 ] || { echo "bench: --open-rate needs a positive integer" >&2; exit 2; }
case "$rounds" in ''|*[!0-9]*|0) echo "bench: --rounds needs a positive integer, got '$rounds'" >&2; exit 2 ;; esac
[ "$rounds" -le 9 ] || { echo "bench: at most 9 rounds (keeps the run bounded)" >&2; exit 2; }
# The soak's slope is fitted after its first minute, so it needs a second one at least.
case "$soak_min" in ''|*[!0-9]*) echo "bench: --soak needs a number of minutes, got '$soak_min'" >&2; exit 2 ;; esac
if [ "$soak_min" != 0 ] && { [ "$soak_min" -lt 2 ] || [ "$soak_min" -gt 120 ]; }; then
  echo "bench: --soak takes 2 to 120 minutes (the slope is fitted after the first minute)" >&2; exit 2
fi
WRK_THREADS="${WRK_THREADS:-2}"
# The open-loop client is a JVM on the same cores as the servers: on 2 cores, above ~15k req/s on the 20 ms mock
# (10k with other load) it and the mock saturate even the direct baseline, and the difference means nothing. See bench/README.md.
OPEN_RATE_CAP="${OPEN_RATE_CAP:-5000}"
case "$OPEN_RATE_CAP" in ''|*[!0-9]*|0) echo "bench: OPEN_RATE_CAP must be a positive integer" >&2; exit 2 ;; esac
case "$WRK_THREADS" in ''|*[!0-9]*|0) echo "bench: WRK_THREADS must be a positive integer" >&2; exit 2 ;; esac
SOAK_RATE="${SOAK_RATE:-}"
case "$SOAK_RATE" in *[!0-9]*|0) echo "bench: SOAK_RATE must be a positive integer" >&2; exit 2 ;; esac
CONCURRENCIES=(16 64)
# The soak (P7): RSS sampled every SOAK_SAMPLE_S; the slope is fitted after the first SOAK_SKIP_S (the heap and the
# JIT's code settle in it); "flat" means the fitted line rises less than SOAK_FLAT_MB over the rest (README, "Soak").
SOAK_SAMPLE_S=5 SOAK_SKIP_S=60 SOAK_FLAT_MB=5 SOAK_SSE_CONC=64
# The mocks a run needs: the soak's load uses both scenario mocks whatever the scenario flags say.
need_sse_mock=0 need_slow_mock=0
{ [ "$do_sse" = 1 ] || [ "$soak_min" -gt 0 ]; } && need_sse_mock=1
{ [ "$do_open" = 1 ] || [ "$soak_min" -gt 0 ]; } && need_slow_mock=1

log()  { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
note() { printf '[bench] note: %s\n' "$*" >&2; }

# wrk output -> "p50_us p99_us rps requests errors" (see parse-wrk.awk; bench/test.sh checks it on samples).
parse_wrk() { awk -f "$BENCH_DIR/parse-wrk.awk" "$1"; }

# ---- tools -------------------------------------------------------------------------------------------------
apt_install() {   # apt_install PKG: quietly, as root or via sudo; prints apt's complaint on failure
  local pkg="$1" sudo="" out
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"
    else echo "not root and no password-less sudo: install '$pkg' yourself (apt-get install -y $pkg)"; return 1; fi
  fi
  command -v apt-get >/dev/null || { echo "no apt-get on this system: install '$pkg' with your package manager"; return 1; }
  if ! out="$(DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$pkg" 2>&1)"; then
    # An empty or stale package list is the usual reason on a fresh machine: refresh it once and retry.
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    out="$(DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$pkg" 2>&1)" || { printf '%s\n' "$out" | tail -n 5; return 1; }
  fi
}
command -v curl >/dev/null || { log "installing curl"; apt_install curl >&2 || die "curl is needed to check the servers"; }
if ! command -v wrk >/dev/null; then
  log "installing wrk (apt-get install -y wrk)"
  why="$(apt_install wrk)" || die "could not install wrk: $why"
fi
NGINX=""
if [ "$use_nginx" = 1 ]; then
  NGINX="$(command -v nginx || true)"
  [ -n "$NGINX" ] || { [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx; }
  if [ -z "$NGINX" ]; then
    log "installing nginx-light for the proxy_pass baseline"
    if why="$(apt_install nginx-light)"; then
      NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
      # Debian's package may start the stock server on port 80; that one is not ours and is left alone.
    else
      note "nginx baseline skipped: could not install nginx-light: $why"
    fi
  fi
fi

# ---- the jar (built by ../tollgate when missing or stale) --------------------------------------------------
log "preparing the gateway jar (builds it on the first run)"
prep="$(TOLLGATE_PREPARE_ONLY=1 "$ROOT/tollgate")" || die "../tollgate could not find Java 21+ or build the jar"
JAVA="$(printf '%s\n' "$prep" | sed -n 's/^java=//p')"
JAR="$(printf '%s\n' "$prep" | sed -n 's/^jar=//p')"
JVM_OPTS="$(printf '%s\n' "$prep" | sed -n 's/^jvm_opts=//p')"
CDS_OPTS="$(printf '%s\n' "$prep" | sed -n 's/^cds_opts=//p')"
read -r -a JVM_ARGS <<<"$JVM_OPTS" || true
if [ ! -x "$JAVA" ] || [ ! -f "$JAR" ]; then die "../tollgate did not report a java and a jar: $prep"; fi

# The load clients wrk cannot be (SSE streams, open loop) live in the bench module: build its jar when it is
# missing or older than its sources.
BENCH_JAR="$BENCH_DIR/target/tollgate-bench.jar"
if [ "$need_slow_mock" = 1 ] || [ "$need_sse_mock" = 1 ]; then
  if [ ! -f "$BENCH_JAR" ] || [ -n "$(find "$BENCH_DIR/pom.xml" "$BENCH_DIR/src" "$ROOT/pom.xml" -newer "$BENCH_JAR" -type f -print -quit 2>/dev/null)" ]; then
    log "building the bench clients (bench/target/tollgate-bench.jar)"
    (cd "$ROOT" && JAVA_HOME="$(dirname "$(dirname "$JAVA")")" ./mvnw -q -DskipTests -pl bench package) >&2 \
      || die "could not build the bench module: run \`./mvnw -DskipTests -pl bench package\` in $ROOT to see why"
  fi
  [ -f "$BENCH_JAR" ] || die "$BENCH_JAR is missing after the build"
fi

# A busy machine makes every figure noisy (even the ratios): say so up front and record it.
LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)"
if awk -v l="$LOAD_BEFORE" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  note "load average is $LOAD_BEFORE on $(nproc) cores before starting: other work is running, expect noisy figures"
fi

# ---- work directory and cleanup ----------------------------------------------------------------------------
WORK="$(mktemp -d -t tollgate-bench.XXXXXX)"
chmod 755 "$WORK"
# The servers run a private copy of the jar with the launcher's JVM flags: a rebuild of target/ while the
# benchmark runs (someone editing sources) can neither change nor break what is being measured.
cp "$JAR" "$WORK/tollgate.jar"
[ -f "$BENCH_JAR" ] && cp "$BENCH_JAR" "$WORK/tollgate-bench.jar"
# The clients get the gateway's collector and heap flags, so they are as cheap on the shared cores.
CLIENT_JVM=(-XX:+UseParallelGC -Xms64m -Xmx512m -XX:+PerfDisableSharedMem -XX:+ExitOnOutOfMemoryError)
bench_client() { "$JAVA" "${CLIENT_JVM[@]}" -cp "$WORK/tollgate-bench.jar" "$@"; }
tollgate_jvm() { exec "$JAVA" ${JVM_ARGS[@]+"${JVM_ARGS[@]}"} -jar "$WORK/tollgate.jar" "$@"; }
PIDS=()
cleanup() {
  local pid i
  trap - EXIT INT TERM
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in $(seq 1 50); do
    local alive=0
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [ "$keep_logs" = 1 ]; then log "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
extra_ports=()
[ "$need_sse_mock" = 1 ] && extra_ports+=("$SSE_MOCK_PORT")
[ "$need_slow_mock" = 1 ] && extra_ports+=("$SLOW_MOCK_PORT")
[ "$use_bare" = 1 ] && extra_ports+=("$BARE_PORT" "$BARE_ADMIN_PORT")
for p in "$MOCK_PORT" "$GW_PORT" "$GW_ADMIN_PORT" ${NGINX:+"$NGINX_PORT"} ${extra_ports[@]+"${extra_ports[@]}"}; do
  port_busy "$p" && die "port 127.0.0.1:$p is already in use (a previous run still going? BENCH_PORT_OFFSET=100 moves every port)"
done

# The servers read copies of the configs with every 127.0.0.1 port moved by the offset (the same text when it is 0).
# Like the jar copy, the copies also keep an edit during the run from changing what is measured.
shift_ports() {   # shift_ports SRC DEST
  awk -v off="$PORT_OFFSET" '{
    out = ""
    while (match($0, /127\.0\.0\.1:[0-9]+/)) {
      out = out substr($0, 1, RSTART - 1) "127.0.0.1:" (substr($0, RSTART + 10, RLENGTH - 10) + off)
      $0 = substr($0, RSTART + RLENGTH)
    }
    print out $0
  }' "$1" >"$2"
}
GW_CONFIG="$WORK/gateway.yaml" BARE_CONFIG="$WORK/gateway-bare.yaml"
shift_ports "$BENCH_DIR/gateway.yaml" "$GW_CONFIG"
[ "$use_bare" = 1 ] && shift_ports "$BENCH_DIR/gateway-bare.yaml" "$BARE_CONFIG"

ms_now() { date +%s%3N; }
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }
wait_http() {   # wait_http NAME URL PID TIMEOUT_S
  local name="$1" url="$2" pid="$3" deadline=$(( $(date +%s) + $4 ))
  until http_ok "$url"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$WORK/$name.log" >&2 || true; die "$name exited during startup (log above)"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -n 30 "$WORK/$name.log" >&2 || true; die "$name did not answer $url within $4 s"; }
    sleep 0.02
  done
}
cpu_ticks() {   # utime+stime of all given pids (clock ticks); fields after the ")" that ends the command name
  local t=0 pid s
  for pid in "$@"; do
    s="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    s="${s##*) }"
    t=$(( t + $(printf '%s\n' "$s" | awk '{print $12 + $13}') ))
  done
  echo "$t"
}
rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '$1 == "VmHWM:" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"

# ---- start the servers -------------------------------------------------------------------------------------
log "starting the mock on 127.0.0.1:$MOCK_PORT (zero latency)"
(tollgate_jvm mock --listen "127.0.0.1:$MOCK_PORT" --latency 0ms) >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!; PIDS+=("$MOCK_PID")
wait_http mock "http://127.0.0.1:$MOCK_PORT/v1/models" "$MOCK_PID" 30
if [ "$need_sse_mock" = 1 ]; then
  log "starting the streaming mock on 127.0.0.1:$SSE_MOCK_PORT ($SSE_EVENTS chunks, 20 ms apart)"
  (tollgate_jvm mock --listen "127.0.0.1:$SSE_MOCK_PORT" --latency 0ms --chunks "$SSE_EVENTS" --tokens-per-second "$SSE_TPS") \
    >"$WORK/mock-sse.log" 2>&1 &
  SSE_MOCK_PID=$!; PIDS+=("$SSE_MOCK_PID")
fi
if [ "$need_slow_mock" = 1 ]; then
  log "starting the 20 ms mock on 127.0.0.1:$SLOW_MOCK_PORT"
  (tollgate_jvm mock --listen "127.0.0.1:$SLOW_MOCK_PORT" --latency 20ms) >"$WORK/mock-slow.log" 2>&1 &
  SLOW_MOCK_PID=$!; PIDS+=("$SLOW_MOCK_PID")
fi
[ "$need_sse_mock" = 1 ] && wait_http mock-sse "http://127.0.0.1:$SSE_MOCK_PORT/v1/models" "$SSE_MOCK_PID" 30
[ "$need_slow_mock" = 1 ] && wait_http mock-slow "http://127.0.0.1:$SLOW_MOCK_PORT/v1/models" "$SLOW_MOCK_PID" 30

# The gateways start as ../tollgate starts them: with the class data sharing archive that its first start after a
# build writes (cds_opts). That archive belongs to the jar in target/, so the private copy gets its own, written by
# a first, unmeasured start; the measured starts are the ones every start after it is. Both profiles map it.
GW_CDS=()
for opt in ${CDS_OPTS:+$CDS_OPTS}; do
  case "$opt" in -XX:SharedArchiveFile=*) GW_CDS+=("-XX:SharedArchiveFile=$WORK/tollgate.jsa") ;; *) GW_CDS+=("$opt") ;; esac
done
start_gateway() {   # start_gateway NAME CONFIG ADMIN_PORT: starts it, waits for /readyz; sets STARTED_PID, STARTED_MS
  local name="$1" config="$2" admin="$3" t0
  t0="$(ms_now)"
  (JVM_ARGS=(${GW_CDS[@]+"${GW_CDS[@]}"} ${JVM_ARGS[@]+"${JVM_ARGS[@]}"})
   TOLLGATE_BENCH_LEDGER="sqlite:$WORK/ledger-$name.db" tollgate_jvm --config "$config") >"$WORK/$name.log" 2>&1 &
  STARTED_PID=$!; PIDS+=("$STARTED_PID")
  wait_http "$name" "http://127.0.0.1:$admin/readyz" "$STARTED_PID" 30
  # Cold start = from starting the JVM until /readyz first answers 200.
  STARTED_MS=$(( $(ms_now) - t0 ))
}
if [ "${#GW_CDS[@]}" -gt 0 ]; then
  log "writing the gateway's class data sharing archive (one unmeasured start and stop)"
  start_gateway gateway-cds "$GW_CONFIG" "$GW_ADMIN_PORT"
  kill -TERM "$STARTED_PID"
  wait "$STARTED_PID" || true
  [ -s "$WORK/tollgate.jsa" ] || note "no class data sharing archive was written: the cold start below is without one"
  rm -rf "$WORK"/ledger-gateway-cds.db*
fi
log "starting the gateway on 127.0.0.1:$GW_PORT with bench/gateway.yaml (key, limits, budget, ledger, access log to a file)"
start_gateway gateway "$GW_CONFIG" "$GW_ADMIN_PORT"
GW_PID="$STARTED_PID" GW_START_MS="$STARTED_MS"
BARE_PID="" BARE_START_MS=""
if [ "$use_bare" = 1 ]; then
  # Started after the gateway is ready, so neither cold start shares the cores with the other.
  log "starting the bare gateway on 127.0.0.1:$BARE_PORT with bench/gateway-bare.yaml (no key, limits, budget, ledger or access log)"
  start_gateway bare "$BARE_CONFIG" "$BARE_ADMIN_PORT"
  BARE_PID="$STARTED_PID" BARE_START_MS="$STARTED_MS"
fi

NGINX_PIDS=()
if [ -n "$NGINX" ]; then
  mkdir -p "$WORK/nginx"
  chmod 1777 "$WORK/nginx"
  cat >"$WORK/nginx.conf" <<EOF
# Generated by bench/run.sh: the physical-limit baseline, a plain reverse proxy to the same mock.
worker_processes auto;            # one per core, like the gateway's event loops
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  # Logged like the gateway (production proxies log every request), buffered as nginx users configure it.
  log_format bench '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent \$request_time';
  access_log $WORK/nginx/access.log bench buffer=64k flush=1s;
  client_body_temp_path $WORK/nginx/client_body;
  proxy_temp_path       $WORK/nginx/proxy;
  fastcgi_temp_path     $WORK/nginx/fastcgi;
  uwsgi_temp_path       $WORK/nginx/uwsgi;
  scgi_temp_path        $WORK/nginx/scgi;
  keepalive_requests 1000000;
  upstream mock {
    server 127.0.0.1:$MOCK_PORT;
    keepalive 128;                  # idle upstream connections kept per worker
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";   # keep the upstream connection alive
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
EOF
  if ! "$NGINX" -t -q -e "$WORK/nginx/error.log" -c "$WORK/nginx.conf" >"$WORK/nginx-t.log" 2>&1; then
    cat "$WORK/nginx-t.log" >&2; die "generated nginx config is invalid (above)"
  fi
  log "starting nginx on 127.0.0.1:$NGINX_PORT"
  "$NGINX" -e "$WORK/nginx/error.log" -c "$WORK/nginx.conf" >"$WORK/nginx.log" 2>&1 &
  NGINX_PID=$!; PIDS+=("$NGINX_PID")
  wait_http nginx "http://127.0.0.1:$NGINX_PORT/v1/models" "$NGINX_PID" 15
  mapfile -t NGINX_PIDS < <(pgrep -P "$NGINX_PID" || true)
  NGINX_PIDS+=("$NGINX_PID")
fi

TARGETS=(direct gateway)
[ "$use_bare" = 1 ] && TARGETS+=(bare)
[ -n "$NGINX" ] && TARGETS+=(nginx)
url_of() {
  case "$1" in
    direct) echo "http://127.0.0.1:$MOCK_PORT$PATH_CHAT" ;;
    gateway) echo "http://127.0.0.1:$GW_PORT$PATH_CHAT" ;;
    bare) echo "http://127.0.0.1:$BARE_PORT$PATH_CHAT" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT$PATH_CHAT" ;;
  esac
}
pids_of() {   # the process(es) whose CPU a target's requests cost, beyond the mock's
  case "$1" in
    direct) echo "$MOCK_PID" ;;
    gateway) echo "$GW_PID" ;;
    bare) echo "$BARE_PID" ;;
    nginx) echo "${NGINX_PIDS[*]}" ;;
  esac
}
metric_sum() {   # metric_sum ADMIN_PORT NAME [LABEL_REGEX]: the sum of a metric's series matching the labels (0 if
                 # none), or nothing when /metrics does not answer (an overloaded gateway must not stop the run)
  local page
  page="$(curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" 2>/dev/null)" || return 0
  printf '%s\n' "$page" | awk -v name="$2" -v labels="${3:-}" 'index($0, name "{") == 1 || index($0, name " ") == 1 {
    if (labels == "" || $0 ~ labels) s += $NF } END { printf "%.10g\n", s + 0 }'
}

# One request per target first: a gateway that answers 4xx/5xx would make every figure meaningless.
# (the same request chat.lua sends)
BODY='{"model":"bench","messages":[{"role":"system","content":"You are a terse assistant."},{"role":"user","content":"Say hello in five words."}],"max_tokens":16,"temperature":0,"stream":false}'
for t in "${TARGETS[@]}"; do
  code="$(curl -sS -o "$WORK/check-$t.json" -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' \
          -H "Authorization: Bearer $BENCH_API_KEY" -d "$BODY" "$(url_of "$t")" || echo 000)"
  if [ "$code" != 200 ] || ! grep -q '"choices"' "$WORK/check-$t.json"; then
    head -c 600 "$WORK/check-$t.json" >&2 || true; echo >&2
    die "$t answered HTTP $code to the benchmark request (body above)"
  fi
done
# The production profile must really check the key: without one and with a wrong one, 401 (these two are the only
# requests the gateway ever answers without the bench key; the report checks that against its metrics after the
# run); and the one request above with the key must be counted on that key and team.
PREFLIGHT_401=0
for auth in no wrong; do
  case "$auth" in no) hdr=() ;; wrong) hdr=(-H "Authorization: Bearer tg-bench-wrong-key") ;; esac
  code="$(curl -sS -o "$WORK/check-gateway-$auth-key.json" -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' \
          ${hdr[@]+"${hdr[@]}"} -d "$BODY" "$(url_of gateway)" || echo 000)"
  [ "$code" = 401 ] || die "the gateway answered HTTP $code to a request with $auth key, not 401: gateway.yaml does not require its key"
  PREFLIGHT_401=$((PREFLIGHT_401 + 1))
done
key_series="key=\"$BENCH_KEY_NAME\".*outcome=\"success\".*team=\"$BENCH_TEAM\""
for _ in $(seq 1 50); do   # the key's counter is updated when the exchange ends, a moment after the answer is sent
  key_ok="$(metric_sum "$GW_ADMIN_PORT" tollgate_key_requests_total "$key_series")"
  [ "$key_ok" = 1 ] && break
  sleep 0.02
done
[ "$key_ok" = 1 ] || die "the gateway's metrics count $key_ok successful requests on key '$BENCH_KEY_NAME' of team '$BENCH_TEAM' after the first, not 1 (is BENCH_API_KEY the key whose hash gateway.yaml holds?)"
GW_RSS_IDLE_KB="$(rss_kb "$GW_PID")"
BARE_RSS_IDLE_KB="${BARE_PID:+$(rss_kb "$BARE_PID")}"
log "all targets answer, the gateway only with its key; gateway cold start ${GW_START_MS} ms, idle RSS $((GW_RSS_IDLE_KB / 1024)) MB${BARE_PID:+; bare ${BARE_START_MS} ms, $((BARE_RSS_IDLE_KB / 1024)) MB}"

# ---- load --------------------------------------------------------------------------------------------------
run_wrk() {   # run_wrk OUTFILE THREADS CONNS SECONDS URL
  wrk -t"$2" -c"$3" -d"$4s" --timeout 5s --latency -s "$BENCH_DIR/chat.lua" "$5" >"$1" 2>&1 \
    || { cat "$1" >&2; die "wrk failed against $5"; }
}

# Both gateways get the same warm-up, so their comparison is not one of how far the JIT got.
log "warm-up: ${WARMUP_S} s through the gateway${BARE_PID:+ and the bare gateway}, then each baseline"
run_wrk "$WORK/warmup-gateway.txt" "$WRK_THREADS" 16 "$WARMUP_S" "$(url_of gateway)"
[ -n "$BARE_PID" ] && run_wrk "$WORK/warmup-bare.txt" "$WRK_THREADS" 16 "$WARMUP_S" "$(url_of bare)"
run_wrk "$WORK/warmup-direct.txt" "$WRK_THREADS" 16 2 "$(url_of direct)"
[ -n "$NGINX" ] && run_wrk "$WORK/warmup-nginx.txt" "$WRK_THREADS" 16 2 "$(url_of nginx)"
run_wrk "$WORK/warmup-gateway-c1.txt" 1 1 2 "$(url_of gateway)"
[ -n "$BARE_PID" ] && run_wrk "$WORK/warmup-bare-c1.txt" 1 1 2 "$(url_of bare)"

RAW="$WORK/raw.tsv"   # round target conc p50_us p99_us rps requests errors cpu_ticks
: >"$RAW"
for round in $(seq 1 "$rounds"); do
  # Rotate the order each round so no target always runs first (or right after the same neighbour).
  n=${#TARGETS[@]}; order=()
  for i in $(seq 0 $((n - 1))); do order+=("${TARGETS[$(( (i + round - 1) % n ))]}"); done
  log "round $round/$rounds: ${order[*]}"
  # Measure one kind of run on every target back to back (c=1 on all three, then c=16, then c=64): runs that
  # are compared with each other are then minutes closer in time, so they share the machine's conditions.
  for c in 1 "${CONCURRENCIES[@]}"; do
    if [ "$c" = 1 ]; then threads=1 secs=$LAT_S; else threads=$WRK_THREADS secs=$THR_S; fi
    for t in "${order[@]}"; do
      out="$WORK/r$round-$t-c$c.txt"
      # shellcheck disable=SC2046  # pid lists are split on purpose
      before="$(cpu_ticks $(pids_of "$t"))"
      run_wrk "$out" "$threads" "$c" "$secs" "$(url_of "$t")"
      # shellcheck disable=SC2046
      after="$(cpu_ticks $(pids_of "$t"))"
      parsed="$(parse_wrk "$out")" || { cat "$out" >&2; die "could not parse wrk output ($out)"; }
      printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$t" "$c" "$(printf '%s' "$parsed" | tr ' ' '\t')" "$((after - before))" >>"$RAW"
      read -r p50 p99 rps _ errs <<<"$parsed"
      printf '  c=%-3s %-8s p50 %8.3f ms  p99 %8.3f ms  %9.0f req/s%s\n' "$c" "$t" \
        "$(awk -v v="$p50" 'BEGIN{print v/1000}')" "$(awk -v v="$p99" 'BEGIN{print v/1000}')" "$rps" \
        "$([ "$errs" -gt 0 ] && echo "  ($errs errors)")" >&2
    done
  done
done
GW_RSS_LOAD_KB="$(rss_kb "$GW_PID")"
GW_HWM_KB="$(hwm_kb "$GW_PID")"
BARE_RSS_LOAD_KB="${BARE_PID:+$(rss_kb "$BARE_PID")}"

# ---- scenarios against direct-to-mock in the same run (P4, P5, P6) ----------------------------------------
# Rows of $SCEN: scenario <TAB> round <TAB> target <TAB> key=value ... (scenarios.awk turns them into the report)
SCEN="$WORK/scenarios.tsv"
: >"$SCEN"
rotate() {   # rotate ROUND NAME...: the names, starting at position ROUND-1 (same rotation as the wrk rounds)
  local r="$1"; shift
  local n=$# i names=("$@")
  for i in $(seq 0 $((n - 1))); do printf '%s ' "${names[$(( (i + r - 1) % n ))]}"; done
}
kv_of() {   # kv_of PREFIX FILE: the key=value fields of each line starting with PREFIX, one line each
  sed -n "s/^$1 //p" "$2"
}
field() {   # field KEY "k=v k=v ...": the value of KEY
  printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n1
}

# P6: large bodies. wrk at concurrency 1 with a body of exactly N bytes (chat.lua, BENCH_BODY_BYTES): the model
# field comes after the long message. Against the zero-latency mock, so added latency is the hop and its copying.
if [ "$do_large" = 1 ]; then
  log "large bodies: warm-up 1 s per size through the gateway${BARE_PID:+ and the bare gateway}"
  for size in "${LARGE_SIZES[@]}"; do
    BENCH_BODY_BYTES="$size" run_wrk "$WORK/warmup-large-$size.txt" 1 1 1 "$(url_of gateway)"
    [ -n "$BARE_PID" ] && BENCH_BODY_BYTES="$size" run_wrk "$WORK/warmup-large-bare-$size.txt" 1 1 1 "$(url_of bare)"
  done
  for round in $(seq 1 "$rounds"); do
    read -r -a order <<<"$(rotate "$round" "${TARGETS[@]}")"
    log "large bodies, round $round/$rounds: ${order[*]}"
    for size in "${LARGE_SIZES[@]}"; do
      for t in "${order[@]}"; do
        out="$WORK/r$round-$t-large-$size.txt"
        BENCH_BODY_BYTES="$size" run_wrk "$out" 1 1 "$LARGE_S" "$(url_of "$t")"
        parsed="$(parse_wrk "$out")" || { cat "$out" >&2; die "could not parse wrk output ($out)"; }
        read -r p50 p99 rps reqs errs <<<"$parsed"
        printf 'large\t%s\t%s\tsize=%s p50_us=%s p99_us=%s rps=%s requests=%s errors=%s\n' \
          "$round" "$t" "$size" "$p50" "$p99" "$rps" "$reqs" "$errs" >>"$SCEN"
        printf '  %7s B  %-8s p50 %8.3f ms  p99 %8.3f ms%s\n' "$size" "$t" \
          "$(awk -v v="$p50" 'BEGIN{print v/1000}')" "$(awk -v v="$p99" 'BEGIN{print v/1000}')" \
          "$([ "$errs" -gt 0 ] && echo "  ($errs errors)")" >&2
      done
    done
  done
fi

# The open-loop rate (P4, and the soak's load): --open-rate, else half the gateway's median c64 throughput
# measured above, at most OPEN_RATE_CAP.
OPEN_RATE="" OPEN_RATE_SOURCE=""
if [ "$need_slow_mock" = 1 ]; then
  if [ -n "$open_rate" ]; then
    OPEN_RATE="$open_rate" OPEN_RATE_SOURCE="--open-rate"
  else
    OPEN_RATE="$(awk -F'\t' '$2 == "gateway" && $3 == 64 { v[++n] = $6 }
      END { if (n == 0) exit 1; for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
            m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; r = int(m / 2); print (r < 1 ? 1 : r) }' "$RAW")" \
      || die "no gateway c64 throughput to derive the open-loop rate from"
    if [ "$OPEN_RATE" -gt "$OPEN_RATE_CAP" ]; then
      OPEN_RATE_SOURCE="50% of the gateway's median c64 req/s would be $OPEN_RATE, capped at OPEN_RATE_CAP"
      OPEN_RATE="$OPEN_RATE_CAP"
    else
      OPEN_RATE_SOURCE="50% of the gateway's median c64 req/s"
    fi
  fi
fi

# P4: open loop. A fixed rate on the 20 ms mock, from the intended send time, through the gateway and straight to
# that mock, back to back each round.
if [ "$do_open" = 1 ]; then
  slow_url() { case "$1" in direct) echo "http://127.0.0.1:$SLOW_MOCK_PORT$PATH_CHAT" ;; gateway) echo "http://127.0.0.1:$GW_PORT$PATH_CHAT" ;; esac; }
  # One client JVM for all rounds (a new one per round would be cold again); it rotates the targets per round.
  log "open loop at $OPEN_RATE req/s on the 20 ms mock: ${OPEN_PREWARM_S} s unrecorded per target, then $rounds round(s) of ${OPEN_WARM_S} s warm-up + ${OPEN_S} s per target"
  out="$WORK/open.txt"
  bench_client dev.tollgate.bench.OpenLoopLoad --rate "$OPEN_RATE" --rounds "$rounds" --prewarm-s "$OPEN_PREWARM_S" \
    --warmup-s "$OPEN_WARM_S" --duration-s "$OPEN_S" --model bench-slow \
    --target "direct=$(slow_url direct)" --target "gateway=$(slow_url gateway)" >"$out" 2>"$WORK/open.err" \
    || { tail -n 20 "$WORK/open.err" >&2; die "the open-loop client failed"; }
  grep -E '^OPEN_(PROBLEM|PREWARM)' "$WORK/open.err" >&2 || true
  while read -r line; do
    t="$(field target "$line")"
    printf 'open\t%s\t%s\t%s\n' "$(field round "$line")" "$t" "$line" >>"$SCEN"
    printf '  open r%s %-8s %s req/s  p50 %8.3f ms  p99 %8.3f ms  p99.9 %8.3f ms  errors %s\n' "$(field round "$line")" "$t" "$OPEN_RATE" \
      "$(awk -v v="$(field p50_us "$line")" 'BEGIN{print v/1000}')" "$(awk -v v="$(field p99_us "$line")" 'BEGIN{print v/1000}')" \
      "$(awk -v v="$(field p999_us "$line")" 'BEGIN{print v/1000}')" "$(field errors "$line")" >&2
  done < <(kv_of OPEN_RESULT "$out")
fi

# P5: SSE. N concurrent keep-alive connections, each running streams of $SSE_EVENTS events 20 ms apart, through
# the gateway (model bench-sse) and straight to the paced mock; every event is counted and checked. One client
# JVM for all rounds, warmed first with 64 streams on each target.
if [ "$do_sse" = 1 ]; then
  log "SSE: $SSE_CONCURRENCIES concurrent streams of $SSE_EVENTS events 20 ms apart, $rounds round(s)"
  out="$WORK/sse.txt"
  bench_client dev.tollgate.bench.SseLoad --events "$SSE_EVENTS" --concurrency "$SSE_CONCURRENCIES" --rounds "$rounds" \
    --streams "$SSE_STREAMS" --model bench-sse --warmup-concurrency 64 \
    --target "direct=http://127.0.0.1:$SSE_MOCK_PORT$PATH_CHAT" --target "gateway=$(url_of gateway)" >"$out" 2>"$WORK/sse.err" \
    || { tail -n 20 "$WORK/sse.err" >&2; die "the SSE client failed"; }
  grep '^SSE_PROBLEM' "$WORK/sse.err" >&2 || true
  while read -r line; do
    t="$(field target "$line")"
    printf 'sse\t%s\t%s\t%s\n' "$(field round "$line")" "$t" "$line" >>"$SCEN"
    printf '  sse r%s c=%-3s %-8s TTFT p50 %8.3f ms  p99 %8.3f ms  gap p50 %7.3f ms  p99 %7.3f ms  events %s/%s%s\n' \
      "$(field round "$line")" "$(field conc "$line")" "$t" \
      "$(awk -v v="$(field ttft_p50_us "$line")" 'BEGIN{print v/1000}')" "$(awk -v v="$(field ttft_p99_us "$line")" 'BEGIN{print v/1000}')" \
      "$(awk -v v="$(field gap_p50_us "$line")" 'BEGIN{print v/1000}')" "$(awk -v v="$(field gap_p99_us "$line")" 'BEGIN{print v/1000}')" \
      "$(field events "$line")" "$(field expected_events "$line")" \
      "$([ "$(field errors "$line")" != 0 ] && echo "  ($(field errors "$line") failed streams)")" >&2
  done < <(kv_of SSE_RESULT "$out")
fi
GW_RSS_END_KB="$(rss_kb "$GW_PID")"
GW_HWM_KB="$(hwm_kb "$GW_PID")"

# ---- soak (P7): a steady load on the gateway for --soak minutes, its memory sampled --------------------------
# The load is of P4's and P5's kinds, the ones P7 is stated under: requests at a fixed rate on the 20 ms mock (held
# in flight, as LLM traffic is) plus SOAK_SSE_CONC SSE streams back to back (the streaming path, whose buffers live
# longest). The rate is half the open-loop rate (SOAK_RATE overrides it): for minutes, beside the streams, two client
# JVMs and the mocks, P4's own rate saturates a 2-core machine, and a gateway that falls behind piles up a backlog of
# connections whose memory is the backlog's, not the steady state's (soak.awk warns when it fell behind anyway).
# For the same reason the client keeps to rate/10 connections (five times what the rate holds in flight on a 20 ms
# mock, at least 64): a hiccup of the shared machine then queues requests in the client, where their wait is still
# measured, instead of opening thousands of connections (P4 allows 4096) that the gateway keeps buffers for.
# wrk has no fixed rate, and at its concurrency it measures saturation, not a steady load. Rows of $SOAK:
# milliseconds since the start <TAB> RSS kB <TAB> JVM heap used (bytes, from /metrics; empty when it did not answer).
SOAK="$WORK/soak.tsv" soak_open="" soak_sse=""
if [ "$soak_min" -gt 0 ]; then
  soak_s=$((soak_min * 60))
  [ -n "$SOAK_RATE" ] || SOAK_RATE=$(( OPEN_RATE / 2 > 0 ? OPEN_RATE / 2 : 1 ))
  soak_conns=$(( SOAK_RATE / 10 > 64 ? SOAK_RATE / 10 : 64 ))
  # Streams back to back until the soak's end (--duration-s); a stream takes 64 x 20 ms at least, which bounds
  # how many a connection can run.
  soak_streams=$(( soak_s * 1000 / (SSE_EVENTS * 20) + 1 ))
  log "soak: $soak_min min of $SOAK_RATE req/s on the 20 ms mock and $SOAK_SSE_CONC SSE streams through the gateway; RSS every ${SOAK_SAMPLE_S} s"
  bench_client dev.tollgate.bench.OpenLoopLoad --rate "$SOAK_RATE" --max-conns "$soak_conns" --warmup-s 0 --duration-s "$soak_s" --model bench-slow \
    --target "gateway=$(url_of gateway)" >"$WORK/soak-open.txt" 2>"$WORK/soak-open.err" &
  soak_open_pid=$!; PIDS+=("$soak_open_pid")
  bench_client dev.tollgate.bench.SseLoad --events "$SSE_EVENTS" --concurrency "$SOAK_SSE_CONC" --duration-s "$soak_s" \
    --streams "$SOAK_SSE_CONC=$soak_streams" --model bench-sse --target "gateway=$(url_of gateway)" \
    >"$WORK/soak-sse.txt" 2>"$WORK/soak-sse.err" &
  soak_sse_pid=$!; PIDS+=("$soak_sse_pid")
  : >"$SOAK"
  t0="$(ms_now)" tick=0 minute=0
  while :; do
    elapsed=$(( $(ms_now) - t0 ))
    rss="$(rss_kb "$GW_PID")" heap="$(metric_sum "$GW_ADMIN_PORT" jvm_memory_used_bytes 'area="heap"')"
    printf '%s\t%s\t%s\n' "$elapsed" "$rss" "$heap" >>"$SOAK"
    kill -0 "$soak_open_pid" 2>/dev/null || kill -0 "$soak_sse_pid" 2>/dev/null || break
    if [ $((elapsed / 60000)) -gt "$minute" ]; then
      minute=$((elapsed / 60000))
      log "soak: minute $minute/$soak_min, RSS $((rss / 1024)) MB, heap used $(awk -v b="$heap" 'BEGIN { print (b == "" ? "n/a" : sprintf("%.0f MB", b / 1048576)) }')"
    fi
    # On a fixed 5 s grid from the start: the fit assumes evenly spread samples, and the curl above takes a while.
    tick=$((tick + SOAK_SAMPLE_S * 1000))
    sleep "$(awk -v ms="$(( tick - ($(ms_now) - t0) ))" 'BEGIN { printf "%.3f", (ms > 0 ? ms : 0) / 1000 }')"
  done
  wait "$soak_open_pid" || { tail -n 20 "$WORK/soak-open.err" >&2; die "the soak's open-loop client failed"; }
  wait "$soak_sse_pid" || { tail -n 20 "$WORK/soak-sse.err" >&2; die "the soak's SSE client failed"; }
  grep -h -E '^(OPEN|SSE)_PROBLEM' "$WORK/soak-open.err" "$WORK/soak-sse.err" >&2 || true
  soak_open="$(kv_of OPEN_RESULT "$WORK/soak-open.txt")" soak_sse="$(kv_of SSE_RESULT "$WORK/soak-sse.txt")"
fi

# ---- the production profile's own account of the run ---------------------------------------------------------
# Every request the gateway answered, and those that went through the bench key: the difference must be the
# pre-flight's deliberate 401s, and no limit or budget may have refused any (the report says so, or ERROR).
GW_REQUESTS="$(metric_sum "$GW_ADMIN_PORT" tollgate_requests_total)"
GW_KEY_REQUESTS="$(metric_sum "$GW_ADMIN_PORT" tollgate_key_requests_total "key=\"$BENCH_KEY_NAME\".*team=\"$BENCH_TEAM\"")"
GW_KEY_COST="$(metric_sum "$GW_ADMIN_PORT" tollgate_key_cost_usd_total "key=\"$BENCH_KEY_NAME\"")"
GW_QUOTA_DENIED="$(metric_sum "$GW_ADMIN_PORT" tollgate_quota_denied_total)"
GW_TEAM_SPENT="$(metric_sum "$GW_ADMIN_PORT" tollgate_budget_spent_usd "scope=\"team:$BENCH_TEAM\"")"   # sampled every 15 s

# ---- report ------------------------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
JSON="$RESULTS_DIR/$STAMP.json"
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$( (git -C "$ROOT" --no-optional-locks status --porcelain 2>/dev/null || true) | grep -q . && echo true || echo false)"
java_version="$("$JAVA" -version 2>&1 | head -n1)"
wrk_version="$( (wrk -v 2>&1 || true) | head -n1 | sed 's/ Copyright.*//')"   # wrk -v exits 1
nginx_version="$( { [ -n "$NGINX" ] && "$NGINX" -v 2>&1; } | sed 's/^nginx version: //' || true)"
nginx_version="${nginx_version:-skipped}"
cpu_model="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)"

kernel="$(uname -r)"
export BENCH_JSON="$JSON" BENCH_COMMIT="$commit" BENCH_CPU_MODEL="$cpu_model" BENCH_KERNEL="$kernel" \
       BENCH_JAVA_VERSION="$java_version" BENCH_JVM_OPTS="$JVM_OPTS" BENCH_WRK_VERSION="$wrk_version" \
       BENCH_NGINX_VERSION="$nginx_version" BENCH_STAMP="$STAMP" \
       BENCH_LOAD_BEFORE="$LOAD_BEFORE"
scen_summary="" scen_json=""
if [ -s "$SCEN" ]; then
  scen_summary="$WORK/scenarios-summary.txt" scen_json="$WORK/scenarios.json"
  awk -F'\t' -v summary="$scen_summary" -v json="$scen_json" -v open_rate="${OPEN_RATE:-}" \
    -v open_rate_source="$OPEN_RATE_SOURCE" -v open_s="$OPEN_S" -v sse_events="$SSE_EVENTS" -v sse_interval_ms=20 \
    -v large_s="$LARGE_S" -f "$BENCH_DIR/scenarios.awk" "$SCEN"
fi
soak_summary="" soak_json=""
if [ "$soak_min" -gt 0 ]; then
  soak_summary="$WORK/soak-summary.txt" soak_json="$WORK/soak.json"
  awk -F'\t' -v summary="$soak_summary" -v json="$soak_json" -v minutes="$soak_min" -v sample_s="$SOAK_SAMPLE_S" \
    -v skip_s="$SOAK_SKIP_S" -v flat_mb="$SOAK_FLAT_MB" -v ceiling_mb=300 -v open_rate="$SOAK_RATE" \
    -v sse_conc="$SOAK_SSE_CONC" -v open="$soak_open" -v sse="$soak_sse" -f "$BENCH_DIR/soak.awk" "$SOAK"
fi
awk -F'\t' \
  -v clk="$CLK_TCK" -v rounds="$rounds" -v quick="$quick" -v dirty="$dirty" -v nproc="$(nproc)" \
  -v lat_s="$LAT_S" -v thr_s="$THR_S" -v warm_s="$WARMUP_S" -v wrk_threads="$WRK_THREADS" \
  -v start_ms="$GW_START_MS" -v rss_idle="$GW_RSS_IDLE_KB" -v rss_load="$GW_RSS_LOAD_KB" -v rss_hwm="$GW_HWM_KB" \
  -v rss_end="$GW_RSS_END_KB" -v scen_summary="$scen_summary" -v scen_json="$scen_json" \
  -v soak_summary="$soak_summary" -v soak_json="$soak_json" \
  -v bare_start_ms="$BARE_START_MS" -v bare_rss_idle="$BARE_RSS_IDLE_KB" -v bare_rss_load="$BARE_RSS_LOAD_KB" \
  -v key_name="$BENCH_KEY_NAME" -v team="$BENCH_TEAM" -v preflight_401="$PREFLIGHT_401" -v gw_requests="$GW_REQUESTS" \
  -v key_requests="$GW_KEY_REQUESTS" -v key_cost="$GW_KEY_COST" -v team_spent="$GW_TEAM_SPENT" -v quota_denied="$GW_QUOTA_DENIED" \
  -f "$BENCH_DIR/report.awk" "$RAW"

echo
log "results written to ${JSON#"$ROOT/"}"
