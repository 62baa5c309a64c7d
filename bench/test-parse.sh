#!/usr/bin/env bash
# Checks bench/parse-wrk.awk on recorded wrk outputs (text with every latency unit, and chat.lua's line), and
# what report.awk and soak.awk conclude from made-up rows: the cost of features against the bare gateway, the
# check that every request went through the bench key, the soak's slope and verdict.
# Run: bench/test-parse.sh   (no servers, no wrk needed)
set -euo pipefail
DIR="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fails=0
check() {   # check NAME EXPECTED <<< wrk-output
  local got
  got="$(awk -f "$DIR/parse-wrk.awk" || echo "exit $?")"
  if [ "$got" = "$2" ]; then echo "ok   $1"; else echo "FAIL $1: expected '$2', got '$got'"; fails=$((fails + 1)); fi
}

check "text, microseconds and milliseconds" "412.0 1020.0 38663.1 386712 0" <<'EOF_'
Running 10s test @ http://127.0.0.1:18080/v1/chat/completions
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.53us  120.11us   5.01ms   90.12%
    Req/Sec    19.43k     1.02k   21.20k    70.00%
  Latency Distribution
     50%  412.00us
     75%  450.00us
     90%  520.00us
     99%    1.02ms
  386712 requests in 10.00s, 120.50MB read
Requests/sec:  38663.13
Transfer/sec:     12.05MB
EOF_

check "text, seconds, k-suffixed count, errors" "1500.0 2100000.0 1203.5 1200000 17" <<'EOF_'
Running 1m test @ http://127.0.0.1:18090/v1/chat/completions
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.01ms   90.11ms    2.50s    98.12%
    Req/Sec   602.00    100.00     1.00k    70.00%
  Latency Distribution
     50%    1.50ms
     75%    2.00ms
     90%    3.00ms
     99%    2.10s
  1.20M requests in 1.00m, 1.50GB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 12
Requests/sec:   1203.51
Transfer/sec:      1.20MB
EOF_

check "chat.lua result line wins over rounded text" "388.7 1017.3 38671.2 386712 5" <<'EOF_'
Running 10s test @ http://127.0.0.1:19000/v1/chat/completions
  Latency Distribution
     50%  389.00us
     99%    1.02ms
  386712 requests in 10.00s, 120.50MB read
  Non-2xx or 3xx responses: 5
Requests/sec:  38663.13
BENCH_RESULT requests=386712 duration_us=10000000 bytes=126353408 p50_us=388.7 p90_us=520.0 p99_us=1017.3 p999_us=2001.0 mean_us=412.5 stdev_us=120.1 max_us=5010.0 connect_errors=0 read_errors=0 write_errors=0 status_errors=5 timeout_errors=0
EOF_

check "no result at all" "exit 1" <<'EOF_'
unable to connect to 127.0.0.1:18080 Connection refused
EOF_

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
expect() {   # expect NAME FILE TEXT: FILE holds the fixed string TEXT
  if grep -qF -- "$3" "$2"; then echo "ok   $1"; else echo "FAIL $1: no '$3' in:"; sed 's/^/     /' "$2"; fails=$((fails + 1)); fi
}

# report.awk: one round of direct, gateway and bare (round target conc p50_us p99_us rps requests errors cpu_ticks).
# CPU: gateway 30,000 ticks (300 s at clk 100) / 3,000,000 requests = 100 us; bare 15,000 ticks / 3,000,000 = 50 us.
printf '%s\n' "1	direct	1	20	50	40000	200000	0	10" "1	gateway	1	120	300	8000	40000	0	10" "1	bare	1	100	250	9000	45000	0	10" \
  "1	direct	16	200	500	60000	360000	0	20" "1	gateway	16	1000	3000	20000	1200000	0	12000" "1	bare	16	800	2500	25000	1500000	0	7500" \
  "1	direct	64	600	900	70000	420000	0	30" "1	gateway	64	3000	8000	30000	1800000	0	18000" "1	bare	64	2000	6000	40000	1500000	0	7500" \
  | tr -s ' ' '\t' >"$TMP/raw.tsv"
report() {   # report NAME GW_REQUESTS KEY_REQUESTS QUOTA_DENIED: runs report.awk on raw.tsv into $TMP/NAME.{txt,json}
  BENCH_JSON="$TMP/$1.json" awk -F'\t' -v clk=100 -v rounds=1 -v quick=1 -v dirty=false -v nproc=2 -v lat_s=4 -v thr_s=4 \
    -v warm_s=6 -v wrk_threads=2 -v start_ms=1400 -v rss_idle=131072 -v rss_load=204800 -v rss_hwm=215040 -v rss_end="" \
    -v bare_start_ms=1200 -v bare_rss_idle=102400 -v bare_rss_load=153600 -v key_name=bench -v team=bench -v preflight_401=2 \
    -v gw_requests="$2" -v key_requests="$3" -v key_cost=12.5 -v team_spent=12 -v quota_denied="$4" \
    -f "$DIR/report.awk" "$TMP/raw.tsv" >"$TMP/$1.txt"
}
report ok 3040002 3040000 0
expect "report: the features' latency, throughput and CPU against bare" "$TMP/ok.txt" \
  "gateway-bare    p50 +0.020 ms  p99 +0.050 ms;  req/s c16 80%  c64 75%  best 75% of bare;  CPU +50.0 us/req"
expect "report: every request but the pre-flight's on the key" "$TMP/ok.txt" "the other 2 the pre-flight's 401s; none refused"
expect "report: features in the JSON" "$TMP/ok.json" '"features_cpu_us_per_request": 50, "bare_added_p50_ms": 0.08'
expect "report: profile check in the JSON" "$TMP/ok.json" '"without_key": 2, "preflight_401": 2'
report keyless 3040002 3000000 0
expect "report: requests without the key are an error" "$TMP/keyless.txt" "ERROR: profile check: the gateway answered 3040002 requests, 3000000 of them"
report refused 3040002 3040000 7
expect "report: a refusal by a limit is an error" "$TMP/refused.txt" "ERROR: profile check"

# soak.awk: samples every 5 s (ms, RSS kB, heap bytes).
soak() {   # soak NAME MINUTES < samples: runs soak.awk into $TMP/NAME.{txt,json}
  awk -F'\t' -v summary="$TMP/$1.txt" -v json="$TMP/$1.json" -v minutes="$2" -v sample_s=5 -v skip_s=60 -v flat_mb=5 \
    -v ceiling_mb=300 -v open_rate=2000 -v sse_conc=64 -v sse="streams=5000 ok=5000 errors=0" \
    -v open="sent=1200000 ok=1200000 errors=0 p50_us=20500 p99_us=23000" -f "$DIR/soak.awk"
}
# A first minute climbing from 150 to 200 MB, then level with 1 MB of wobble: flat.
awk 'BEGIN { for (i = 0; i <= 120; i++) printf "%d\t%d\t%d\n", i * 5000, (i < 12 ? 150 + i * 4 : 200 + i % 2) * 1024, 80e6 }' | soak flat 10
expect "soak: a level RSS after the first minute is flat" "$TMP/flat.txt" "P7 soak verdict: meets"
expect "soak: start, max, end" "$TMP/flat.txt" "RSS start 150 MB, max 201 MB, end 200 MB"
# 2 MB a minute all along: 18 MB over the 9 minutes after the first.
awk 'BEGIN { for (i = 0; i <= 120; i++) printf "%d\t%d\t%d\n", i * 5000, 150 * 1024 + i * 5 / 60 * 2 * 1024, 80e6 }' | soak leak 10
expect "soak: the slope of a steady growth" "$TMP/leak.txt" "+2.00 MB/min (least squares), +18.0 MB over 9.0 min (flat = under 5 MB: MISSES)"
expect "soak: the slope in the JSON" "$TMP/leak.json" '"rss_slope_mb_per_min": 2, "rss_growth_mb": 18'
# Over the ceiling, and /metrics silent for every sample.
awk 'BEGIN { for (i = 0; i <= 24; i++) printf "%d\t%d\t\n", i * 5000, 320 * 1024 }' | soak high 2
expect "soak: above 300 MB misses" "$TMP/high.txt" "(goal <= 300 MB: MISSES)"
expect "soak: no heap figures without /metrics" "$TMP/high.txt" "JVM heap used n/a"

if [ "$fails" -gt 0 ]; then echo "bench checks: $fails failed"; exit 1; fi
echo "bench checks: all passed"
