#!/usr/bin/env bash
# Checks bench/parse-wrk.awk on recorded wrk outputs (text with every latency unit, and chat.lua's line).
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

if [ "$fails" -gt 0 ]; then echo "parse-wrk: $fails failed"; exit 1; fi
echo "parse-wrk: all passed"
