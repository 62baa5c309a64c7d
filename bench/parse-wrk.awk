# Reads one wrk output and prints "p50_us p99_us rps requests errors" (errors = non-2xx/3xx + socket errors);
# exits 1 when the output holds no result. Used by bench/run.sh.
#
# Prefers the "BENCH_RESULT key=value ..." line that bench/chat.lua prints from wrk's done() hook: exact
# microseconds from wrk's histogram. Falls back to wrk's text report, whose latencies carry a unit
# (us, ms, s, m, h: "812.00us", "1.02ms", "2.00s") and whose counts may carry k/M/G ("1.20k").

function to_us(s,   n, u) {
  n = s; sub(/[a-z]+$/, "", n); u = s; sub(/^[0-9.]+/, "", u)
  if (u == "us" || u == "") return n + 0
  if (u == "ms") return n * 1000
  if (u == "s")  return n * 1000000
  if (u == "m")  return n * 60000000
  if (u == "h")  return n * 3600000000
  return -1
}
function count(s,   n, u) {
  n = s; sub(/[a-zA-Z]+$/, "", n); u = s; sub(/^[0-9.]+/, "", u)
  if (u == "k") return n * 1000
  if (u == "M") return n * 1000000
  if (u == "G") return n * 1000000000
  return n + 0
}
/^BENCH_RESULT / {
  for (i = 2; i <= NF; i++) { eq = index($i, "="); r[substr($i, 1, eq - 1)] = substr($i, eq + 1) }
  have_r = 1
  next
}
/Latency Distribution/ { in_dist = 1; next }
in_dist && $1 == "50%" { t50 = to_us($2) }
in_dist && $1 == "99%" { t99 = to_us($2); in_dist = 0 }
/ requests in / {
  for (i = 1; i <= NF - 3; i++) if ($(i + 1) == "requests" && $(i + 2) == "in") { treq = count($i) }
}
/^Requests\/sec:/ { trps = $2 + 0; have_t = 1 }
/Non-2xx or 3xx responses:/ { tnon2xx = $NF + 0 }
/Socket errors:/ {
  line = $0; sub(/.*Socket errors:/, "", line); gsub(/[^0-9]+/, " ", line)
  n = split(line, a, " "); for (i = 1; i <= n; i++) tsock += a[i]
}
END {
  if (have_r && r["duration_us"] + 0 > 0) {
    rps = r["requests"] / (r["duration_us"] / 1000000)
    err = r["status_errors"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeout_errors"]
    printf "%.1f %.1f %.1f %d %d\n", r["p50_us"], r["p99_us"], rps, r["requests"], err
  } else if (have_t && t50 != "") {
    printf "%.1f %.1f %.1f %d %d\n", t50, (t99 == "" ? -1 : t99), trps, treq, tnon2xx + tsock
  } else {
    exit 1
  }
}
