# Turns bench/run.sh's raw rows into the printed table and the JSON file. POSIX awk (mawk is fine).
#
# Input (tab-separated), one row per wrk run:
#   round  target  concurrency  p50_us  p99_us  req_per_s  requests  errors  cpu_ticks
# where cpu_ticks is the utime+stime the target's own process(es) used during that run.
# Variables (-v): clk rounds quick dirty nproc lat_s thr_s warm_s wrk_threads start_ms rss_idle rss_load rss_hwm
#                 rss_end (after the scenarios, optional), scen_summary and scen_json (files written by
#                 scenarios.awk: the P4/P5/P6 lines, printed after P3, and the "scenarios" JSON member; optional),
#                 soak_summary and soak_json (the same from soak.awk, printed after P7; optional),
#                 bare_start_ms bare_rss_idle bare_rss_load (the bare gateway's; empty without it),
#                 key_name team preflight_401 gw_requests key_requests key_cost team_spent quota_denied (the
#                 production gateway's metrics after the run: every request but the pre-flight's 401s on the key)
# Targets: direct, gateway (the production profile, which the goals judge), bare (no keys, limits, budget, ledger
# or access log: gateway minus bare is what those features cost), nginx.
# Environment: BENCH_JSON (output path) BENCH_STAMP BENCH_COMMIT BENCH_CPU_MODEL BENCH_KERNEL BENCH_LOAD_BEFORE
#              BENCH_JAVA_VERSION BENCH_JVM_OPTS BENCH_WRK_VERSION BENCH_NGINX_VERSION

function median(list,   a, n, i, j, x) {
  n = split(list, a, " ")
  if (n == 0) return ""
  for (i = 2; i <= n; i++) { x = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
  return (n % 2) ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}
function range(list,   a, n, i, lo, hi) {
  n = split(list, a, " ")
  if (n == 0) return "null"
  lo = a[1] + 0; hi = a[1] + 0
  for (i = 2; i <= n; i++) { if (a[i] + 0 < lo) lo = a[i] + 0; if (a[i] + 0 > hi) hi = a[i] + 0 }
  return sprintf("[%s, %s]", num(lo), num(hi))
}
function add(k, v) { vals[k] = (k in vals) ? vals[k] " " v : v }
function num(v) { return (v == "" ? "null" : sprintf("%.6g", v)) }
function ms(us) { return (us == "" ? "n/a" : sprintf("%.3f", us / 1000)) }
function msnum(us) { return (us == "" ? "null" : num(us / 1000)) }
function pct(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "" : 100 * a / b }
function pcts(v) { return (v == "" ? "n/a" : sprintf("%.0f%%", v)) }
function verdict(ok) { return ok ? "meets" : "MISSES" }
function jstr(s) {
  gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); gsub(/[\r\n]/, " ", s)
  return "\"" s "\""
}

{
  round = $1; t = $2; c = $3; p50 = $4; p99 = $5; rps = $6; req = $7; err = $8; ticks = $9
  seen[t] = 1; errors[t] += err
  rows = rows sprintf("%s    {\"round\": %d, \"target\": \"%s\", \"concurrency\": %d, \"p50_us\": %s, \"p99_us\": %s, \"rps\": %s, \"requests\": %d, \"errors\": %d, \"cpu_s\": %s}",
                      (rows == "" ? "" : ",\n"), round, t, c, num(p50), num(p99), num(rps), req, err, num(ticks / clk))
  if (c == 1) { add(t SUBSEP "p50", p50); add(t SUBSEP "p99", p99) }
  else {
    add(t SUBSEP "rps" c, rps)
    # CPU per request over the round's throughput runs (c16 + c64 together).
    reqs[t SUBSEP round] += req; tick[t SUBSEP round] += ticks
  }
}

END {
  nt = split("direct gateway bare nginx", order, " ")
  for (r = 1; r <= rounds; r++) for (i = 1; i <= nt; i++) {
    t = order[i]
    if (((t SUBSEP r) in reqs) && reqs[t SUBSEP r] > 0) add(t SUBSEP "cpu", 1000000 * tick[t SUBSEP r] / clk / reqs[t SUBSEP r])
  }
  for (i = 1; i <= nt; i++) {
    t = order[i]; if (!(t in seen)) continue
    m[t, "p50"] = median(vals[t SUBSEP "p50"]); m[t, "p99"] = median(vals[t SUBSEP "p99"])
    m[t, "rps16"] = median(vals[t SUBSEP "rps16"]); m[t, "rps64"] = median(vals[t SUBSEP "rps64"])
    m[t, "cpu"] = median(vals[t SUBSEP "cpu"])
    m[t, "best"] = (m[t, "rps16"] + 0 > m[t, "rps64"] + 0) ? m[t, "rps16"] : m[t, "rps64"]
  }
  has_gw = ("gateway" in seen); has_direct = ("direct" in seen); has_nginx = ("nginx" in seen); has_bare = ("bare" in seen)

  printf "\nTollgate bench %s: %d round%s, medians; commit %s%s; %d cores\n\n", ENVIRON["BENCH_STAMP"], rounds,
         (rounds > 1 ? "s" : ""), ENVIRON["BENCH_COMMIT"], (dirty == "true" ? " (uncommitted changes)" : ""), nproc
  printf "%-9s %9s %9s %11s %11s %11s %7s\n", "target", "p50 ms", "p99 ms", "req/s c16", "req/s c64", "CPU us/req", "errors"
  printf "%-9s %9s %9s %11s %11s %11s %7s\n", "------", "------", "------", "---------", "---------", "----------", "------"
  for (i = 1; i <= nt; i++) {
    t = order[i]; if (!(t in seen)) continue
    printf "%-9s %9s %9s %11.0f %11.0f %11.1f %7d\n", t, ms(m[t, "p50"]), ms(m[t, "p99"]), m[t, "rps16"], m[t, "rps64"], m[t, "cpu"], errors[t]
  }
  printf "(c=1 for latency; CPU us/req is the target's own process: the mock for direct, nginx's workers for nginx;\n"
  printf " gateway = key, rate limits, team budget, spend ledger, access log, metrics%s)\n",
         (has_bare ? "; bare = the same gateway with metrics only" : "")
  if (ENVIRON["BENCH_LOAD_BEFORE"] + 0 > nproc / 2)
    printf "NOTE: load average was %s on %d cores before the run: other work shared the machine; figures are noisy.\n",
           ENVIRON["BENCH_LOAD_BEFORE"], nproc

  add50 = ""; add99 = ""; pd16 = ""; pd64 = ""; pdb = ""; pn16 = ""; pn64 = ""; pnb = ""; na50 = ""; na99 = ""
  if (has_gw && has_direct) {
    add50 = m["gateway", "p50"] - m["direct", "p50"]; add99 = m["gateway", "p99"] - m["direct", "p99"]
    pd16 = pct(m["gateway", "rps16"], m["direct", "rps16"]); pd64 = pct(m["gateway", "rps64"], m["direct", "rps64"])
    pdb = pct(m["gateway", "best"], m["direct", "best"])
  }
  if (has_gw && has_nginx) {
    pn16 = pct(m["gateway", "rps16"], m["nginx", "rps16"]); pn64 = pct(m["gateway", "rps64"], m["nginx", "rps64"])
    pnb = pct(m["gateway", "best"], m["nginx", "best"])
  }
  if (has_nginx && has_direct) { na50 = m["nginx", "p50"] - m["direct", "p50"]; na99 = m["nginx", "p99"] - m["direct", "p99"] }
  # What the production features cost: the gateway against itself without them, in the same rounds.
  fa50 = ""; fa99 = ""; pb16 = ""; pb64 = ""; pbb = ""; fcpu = ""; ba50 = ""; ba99 = ""
  if (has_gw && has_bare) {
    fa50 = m["gateway", "p50"] - m["bare", "p50"]; fa99 = m["gateway", "p99"] - m["bare", "p99"]
    pb16 = pct(m["gateway", "rps16"], m["bare", "rps16"]); pb64 = pct(m["gateway", "rps64"], m["bare", "rps64"])
    pbb = pct(m["gateway", "best"], m["bare", "best"]); fcpu = m["gateway", "cpu"] - m["bare", "cpu"]
  }
  if (has_bare && has_direct) { ba50 = m["bare", "p50"] - m["direct", "p50"]; ba99 = m["bare", "p99"] - m["direct", "p99"] }
  key_without = gw_requests - key_requests
  key_ok = (key_requests > 0 && key_without == preflight_401 && quota_denied == 0 && key_cost > 0)

  printf "\nSame-run comparisons against the goals in shared/reference/performance.md:\n"
  if (add50 != "")
    printf "  P1 added latency c=1   gateway-direct  p50 %+.3f ms (goal <= 0.2 ms: %s)   p99 %+.3f ms (goal <= 0.5 ms: %s)\n",
           add50 / 1000, verdict(add50 <= 200), add99 / 1000, verdict(add99 <= 500)
  if (na50 != "")
    printf "                         nginx-direct    p50 %+.3f ms   p99 %+.3f ms   (a plain proxy hop, for scale)\n", na50 / 1000, na99 / 1000
  if (pdb != "")
    printf "  P2 throughput          gateway/direct  c16 %s  c64 %s  best %s (goal >= 60%%: %s)\n", pcts(pd16), pcts(pd64), pcts(pdb), verdict(pdb >= 60)
  if (pnb != "")
    printf "                         gateway/nginx   c16 %s  c64 %s  best %s (goal >= 80%%: %s)\n", pcts(pn16), pcts(pn64), pcts(pnb), verdict(pnb >= 80)
  else
    printf "                         gateway/nginx   n/a (no nginx baseline in this run)\n"
  if (has_gw) {
    printf "  P3 CPU per request     gateway %.1f us (goal <= 100 us: %s)", m["gateway", "cpu"], verdict(m["gateway", "cpu"] <= 100)
    if (has_nginx) printf ", nginx %.1f us", m["nginx", "cpu"]
    if (has_direct) printf ", the mock itself %.1f us", m["direct", "cpu"]
    printf "\n"
    if (has_bare) {
      printf "  Features cost          gateway-bare    p50 %+.3f ms  p99 %+.3f ms;  req/s c16 %s  c64 %s  best %s of bare;  CPU %+.1f us/req\n",
             fa50 / 1000, fa99 / 1000, pcts(pb16), pcts(pb64), pcts(pbb), fcpu
      printf "                         (key lookup, rate limits, team budget, spend ledger, access log)   bare-direct p50 %+.3f ms  p99 %+.3f ms\n",
             ba50 / 1000, ba99 / 1000
    }
    if (key_ok)
      printf "  Profile check          %d requests to the gateway: %d on key '%s' of team '%s' ($%.4f charged, team budget spent $%.4f), the other %d the pre-flight's 401s; none refused by a limit or budget\n",
             gw_requests, key_requests, key_name, team, key_cost, team_spent, key_without
    else
      printf "  ERROR: profile check: the gateway answered %d requests, %d of them on key '%s' of team '%s' (expected all but the pre-flight's %d 401s), $%.6f charged, %d refused by a limit or budget: the production profile did not run as stated\n",
             gw_requests, key_requests, key_name, team, preflight_401, key_cost, quota_denied
    if (scen_summary != "") while ((getline line < scen_summary) > 0) print line
    printf "  P7 gateway RSS         idle %.0f MB (goal <= 150 MB: %s), after load %.0f MB, peak %.0f MB%s%s\n",
           rss_idle / 1024, verdict(rss_idle / 1024 <= 150), rss_load / 1024, rss_hwm / 1024,
           (rss_end != "" ? sprintf(", after the scenarios %.0f MB", rss_end / 1024) : ""),
           (has_bare ? sprintf("; bare: idle %.0f MB, after load %.0f MB", bare_rss_idle / 1024, bare_rss_load / 1024) : "")
    if (soak_summary != "") while ((getline line < soak_summary) > 0) print line
    printf "  P8 cold start          %d ms from launch to the first 200 on /readyz (goal <= 1500 ms: %s)%s\n", start_ms, verdict(start_ms <= 1500),
           (has_bare ? sprintf("; bare %d ms", bare_start_ms) : "")
  }
  total = 0; for (t in errors) total += errors[t]
  if (total > 0) printf "\n  WARNING: %d requests failed (non-2xx/3xx or socket errors): see the errors column; figures are suspect.\n", total

  json = ENVIRON["BENCH_JSON"]
  if (json == "") exit 0
  printf "{\n" > json
  printf "  \"timestamp\": %s,\n  \"commit\": %s,\n  \"uncommitted_changes\": %s,\n", jstr(ENVIRON["BENCH_STAMP"]), jstr(ENVIRON["BENCH_COMMIT"]), (dirty == "true" ? "true" : "false") > json
  printf "  \"machine\": {\"cores\": %d, \"cpu\": %s, \"kernel\": %s, \"load_avg_1m_before\": %s},\n", nproc,
         jstr(ENVIRON["BENCH_CPU_MODEL"]), jstr(ENVIRON["BENCH_KERNEL"]), num(ENVIRON["BENCH_LOAD_BEFORE"]) > json
  printf "  \"versions\": {\"java\": %s, \"wrk\": %s, \"nginx\": %s},\n", jstr(ENVIRON["BENCH_JAVA_VERSION"]), jstr(ENVIRON["BENCH_WRK_VERSION"]), jstr(ENVIRON["BENCH_NGINX_VERSION"]) > json
  printf "  \"settings\": {\"rounds\": %d, \"quick\": %s, \"warmup_s\": %d, \"latency_run_s\": %d, \"throughput_run_s\": %d, \"wrk_threads\": %d, \"concurrency\": [1, 16, 64], \"mock_latency_ms\": 0, \"gateway_jvm_opts\": %s,\n",
         rounds, (quick ? "true" : "false"), warm_s, lat_s, thr_s, wrk_threads, jstr(ENVIRON["BENCH_JVM_OPTS"]) > json
  printf "    \"profiles\": {\"gateway\": {\"config\": \"bench/gateway.yaml\", \"virtual_key\": true, \"key_limits\": [\"rpm\", \"tpm\"], \"team_budget\": true, \"ledger\": \"sqlite\", \"access_log\": true, \"metrics\": true}%s}},\n",
         (has_bare ? ", \"bare\": {\"config\": \"bench/gateway-bare.yaml\", \"virtual_key\": false, \"key_limits\": [], \"team_budget\": false, \"ledger\": \"none\", \"access_log\": false, \"metrics\": true}" : "") > json
  printf "  \"median\": {\n" > json
  first = 1
  for (i = 1; i <= nt; i++) {
    t = order[i]; if (!(t in seen)) continue
    printf "%s    \"%s\": {\"p50_us\": %s, \"p99_us\": %s, \"rps_c16\": %s, \"rps_c64\": %s, \"cpu_us_per_request\": %s, \"errors\": %d, \"p50_us_range\": %s, \"p99_us_range\": %s, \"rps_c16_range\": %s, \"rps_c64_range\": %s}",
           (first ? "" : ",\n"), t, num(m[t, "p50"]), num(m[t, "p99"]), num(m[t, "rps16"]), num(m[t, "rps64"]), num(m[t, "cpu"]), errors[t],
           range(vals[t SUBSEP "p50"]), range(vals[t SUBSEP "p99"]), range(vals[t SUBSEP "rps16"]), range(vals[t SUBSEP "rps64"]) > json
    first = 0
  }
  printf "\n  },\n" > json
  printf "  \"comparisons\": {\"added_p50_ms\": %s, \"added_p99_ms\": %s, \"pct_of_direct_c16\": %s, \"pct_of_direct_c64\": %s, \"pct_of_direct_best\": %s, \"pct_of_nginx_c16\": %s, \"pct_of_nginx_c64\": %s, \"pct_of_nginx_best\": %s, \"nginx_added_p50_ms\": %s, \"nginx_added_p99_ms\": %s,\n",
         msnum(add50), msnum(add99), num(pd16), num(pd64), num(pdb), num(pn16), num(pn64), num(pnb), msnum(na50), msnum(na99) > json
  printf "    \"features_added_p50_ms\": %s, \"features_added_p99_ms\": %s, \"pct_of_bare_c16\": %s, \"pct_of_bare_c64\": %s, \"pct_of_bare_best\": %s, \"features_cpu_us_per_request\": %s, \"bare_added_p50_ms\": %s, \"bare_added_p99_ms\": %s},\n",
         msnum(fa50), msnum(fa99), num(pb16), num(pb64), num(pbb), num(fcpu), msnum(ba50), msnum(ba99) > json
  printf "  \"gateway\": {\"cold_start_ms\": %d, \"rss_idle_mb\": %.1f, \"rss_after_load_mb\": %.1f, \"rss_after_scenarios_mb\": %s, \"rss_peak_mb\": %.1f, \"cpu_us_per_request\": %s},\n",
         start_ms, rss_idle / 1024, rss_load / 1024, (rss_end != "" ? sprintf("%.1f", rss_end / 1024) : "null"), rss_hwm / 1024, (has_gw ? num(m["gateway", "cpu"]) : "null") > json
  if (has_bare)
    printf "  \"bare\": {\"cold_start_ms\": %d, \"rss_idle_mb\": %.1f, \"rss_after_load_mb\": %.1f, \"cpu_us_per_request\": %s},\n",
           bare_start_ms, bare_rss_idle / 1024, bare_rss_load / 1024, num(m["bare", "cpu"]) > json
  printf "  \"profile_check\": {\"key\": %s, \"team\": %s, \"gateway_requests\": %d, \"key_requests\": %d, \"without_key\": %d, \"preflight_401\": %d, \"key_cost_usd\": %s, \"team_budget_spent_usd\": %s, \"refused_by_limit_or_budget\": %d, \"every_request_on_key\": %s},\n",
         jstr(key_name), jstr(team), gw_requests, key_requests, key_without, preflight_401, num(key_cost), num(team_spent), quota_denied, (key_ok ? "true" : "false") > json
  if (scen_json != "") while ((getline line < scen_json) > 0) print line > json
  if (soak_json != "") while ((getline line < soak_json) > 0) print line > json
  printf "  \"runs\": [\n%s\n  ]\n}\n", rows > json
  close(json)
}
