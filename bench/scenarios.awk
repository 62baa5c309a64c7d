# Turns bench/run.sh's scenario rows (large bodies, open loop, SSE) into the P4/P5/P6 lines of the summary and
# a JSON fragment. POSIX awk (mawk is fine).
#
# Input (tab-separated), one row per run:  scenario  round  target  "key=value key=value ..."
#   large  size= p50_us= p99_us= rps= requests= errors=                    (wrk, concurrency 1)
#   open   rate= sent= ok= errors= p50_us= p90_us= p99_us= p999_us= max_us= ...   (OpenLoopLoad's OPEN_RESULT)
#   sse    conc= streams= ok= errors= events= expected_events= ttft_p50_us= ... (SseLoad's SSE_RESULT)
# Variables (-v): summary (output file for the text), json (output file for the fragment), open_rate,
#                 open_rate_source, open_s, sse_events, sse_interval_ms, large_s
# Every "added" figure is gateway minus direct of the medians over rounds, at the same percentile; "features
# added" (large bodies only, when the run has the bare gateway) is gateway minus bare.

function median(list,   a, n, i, j, x) {
  n = split(list, a, " ")
  if (n == 0) return ""
  for (i = 2; i <= n; i++) { x = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
  return (n % 2) ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}
function maxof(list,   a, n, i, hi) {
  n = split(list, a, " "); if (n == 0) return ""
  hi = a[1] + 0; for (i = 2; i <= n; i++) if (a[i] + 0 > hi) hi = a[i] + 0
  return hi
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
function msnum(us) { return (us == "" ? "null" : sprintf("%.6g", us / 1000)) }
function dms(us) { return (us == "" ? "   n/a" : sprintf("%+.3f", us / 1000)) }
function verdict(ok) { return ok ? "meets" : "MISSES" }
function jbool(b) { return b ? "true" : "false" }
function diff(a, b) { return (a == "" || b == "") ? "" : a - b }
function size_name(s) { return s >= 1048576 ? (s / 1048576) " MB" : (s >= 1024 ? (s / 1024) " KB" : s " B") }
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }

{
  sc = $1; round = $2; t = $3
  delete kv
  n = split($4, parts, " ")
  row = sprintf("{\"scenario\": \"%s\", \"round\": %d, \"target\": \"%s\"", sc, round, t)
  for (i = 1; i <= n; i++) {
    eq = index(parts[i], "="); if (eq == 0) continue
    k = substr(parts[i], 1, eq - 1); v = substr(parts[i], eq + 1)
    kv[k] = v
    if (k != "target") row = row sprintf(", \"%s\": %s", k, (v ~ /^-?[0-9.]+$/ ? num(v) : jstr(v)))
  }
  rows = rows (rows == "" ? "" : ",\n") "      " row "}"
  targets[sc, t] = 1
  if (sc == "large") {
    s = kv["size"]; sizes[s] = 1
    add(sc SUBSEP t SUBSEP s SUBSEP "p50", kv["p50_us"]); add(sc SUBSEP t SUBSEP s SUBSEP "p99", kv["p99_us"])
    sum[sc, t, s, "errors"] += kv["errors"]; sum[sc, t, s, "requests"] += kv["requests"]
  } else if (sc == "open") {
    for (k in kv) if (k ~ /_us$/) add(sc SUBSEP t SUBSEP k, kv[k])
    sum[sc, t, "errors"] += kv["errors"]; sum[sc, t, "sent"] += kv["sent"]; sum[sc, t, "ok"] += kv["ok"]
    sum[sc, t, "unanswered"] += kv["unanswered"]
  } else if (sc == "sse") {
    c = kv["conc"]; concs[c] = 1
    for (k in kv) if (k ~ /_us$/) add(sc SUBSEP t SUBSEP c SUBSEP k, kv[k])
    split("streams ok errors events expected_events short_streams bad_content no_done bad_status failed stalled_streams gaps bunched_gaps", ks, " ")
    for (i in ks) sum[sc, t, c, ks[i]] += kv[ks[i]]
  }
}

function out(s) { printf "%s\n", s > summary }

END {
  have_large = (("large", "gateway") in targets) && (("large", "direct") in targets)
  have_open = (("open", "gateway") in targets) && (("open", "direct") in targets)
  have_sse = (("sse", "gateway") in targets) && (("sse", "direct") in targets)
  problems = 0
  frag = ""

  # ---- P4 open loop ----
  if (have_open) {
    for (i = 1; i <= 2; i++) {
      t = (i == 1 ? "direct" : "gateway")
      split("p50_us p90_us p99_us p999_us mean_us", ks, " ")
      for (j = 1; j <= 5; j++) om[t, ks[j]] = median(vals["open" SUBSEP t SUBSEP ks[j]])
      om[t, "max_us"] = maxof(vals["open" SUBSEP t SUBSEP "max_us"])
    }
    a50 = diff(om["gateway", "p50_us"], om["direct", "p50_us"]); a99 = diff(om["gateway", "p99_us"], om["direct", "p99_us"])
    a999 = diff(om["gateway", "p999_us"], om["direct", "p999_us"])
    gerr = sum["open", "gateway", "errors"]; derr = sum["open", "direct", "errors"]
    p4 = (a99 != "" && a99 <= 1000 && gerr == 0)
    out(sprintf("  P4 open loop, 20 ms mock  %s req/s (%s), %s s per run, from the intended send time", open_rate, open_rate_source, open_s))
    out(sprintf("                         gateway-direct  p50 %s ms   p99 %s ms (goal <= 1 ms: %s)   p99.9 %s ms", dms(a50), dms(a99), verdict(a99 != "" && a99 <= 1000), dms(a999)))
    out(sprintf("                         errors: gateway %d of %d, direct %d of %d (goal: none: %s)   [p99 gateway %.3f ms, direct %.3f ms]",
                gerr, sum["open", "gateway", "sent"], derr, sum["open", "direct", "sent"], verdict(gerr == 0), om["gateway", "p99_us"] / 1000, om["direct", "p99_us"] / 1000))
    if (gerr > 0) { out(sprintf("  ERROR: open loop: %d gateway requests failed or went unanswered (%d unanswered)", gerr, sum["open", "gateway", "unanswered"])); problems++ }
    if (om["direct", "p99_us"] > 30000) {
      out(sprintf("  WARNING: open loop: the direct baseline itself is saturated at this rate (p99 %.1f ms on a 20 ms mock): the load generator and mock share the cores; lower --open-rate for a meaningful difference", om["direct", "p99_us"] / 1000)); problems++
    }
    if (derr > 0) { out(sprintf("  WARNING: open loop: %d direct requests failed: the load generator or the mock is overloaded; figures are suspect", derr)); problems++ }
    frag = frag sprintf("    \"open_loop\": {\"rate\": %s, \"rate_source\": %s, \"mock_latency_ms\": 20, \"run_s\": %s,\n", num(open_rate), jstr(open_rate_source), num(open_s))
    for (i = 1; i <= 2; i++) {
      t = (i == 1 ? "direct" : "gateway")
      frag = frag sprintf("      \"%s\": {\"p50_us\": %s, \"p90_us\": %s, \"p99_us\": %s, \"p999_us\": %s, \"max_us\": %s, \"p99_us_range\": %s, \"sent\": %d, \"ok\": %d, \"errors\": %d, \"unanswered\": %d},\n",
                          t, num(om[t, "p50_us"]), num(om[t, "p90_us"]), num(om[t, "p99_us"]), num(om[t, "p999_us"]), num(om[t, "max_us"]),
                          range(vals["open" SUBSEP t SUBSEP "p99_us"]), sum["open", t, "sent"], sum["open", t, "ok"], sum["open", t, "errors"], sum["open", t, "unanswered"])
    }
    frag = frag sprintf("      \"added_p50_ms\": %s, \"added_p99_ms\": %s, \"added_p999_ms\": %s, \"goal_p4_met\": %s},\n", msnum(a50), msnum(a99), msnum(a999), jbool(p4))
  }

  # ---- P5 SSE ----
  if (have_sse) {
    nc = 0; for (c in concs) cl[++nc] = c + 0
    for (i = 2; i <= nc; i++) { x = cl[i]; for (j = i - 1; j >= 1 && cl[j] > x; j--) cl[j + 1] = cl[j]; cl[j + 1] = x }
    out(sprintf("  P5 SSE, %d events %s ms apart per stream; added = gateway-direct, ms", sse_events, sse_interval_ms))
    out(sprintf("                         %-7s %9s %9s %9s %9s %22s %8s %8s", "streams", "TTFT p50", "TTFT p99", "gap p50", "gap p99", "gateway events", "stalled", "bunched"))
    ttft_ok = 1; ttft_list = ""; deliver_ok = 1; max_c = 0
    frag = frag sprintf("    \"sse\": {\"events_per_stream\": %d, \"interval_ms\": %s, \"stall_threshold_ms\": 200, \"bunched_threshold_ms\": 5, \"by_concurrency\": {\n", sse_events, num(sse_interval_ms))
    for (i = 1; i <= nc; i++) {
      c = cl[i]; if (c > max_c) max_c = c
      for (j = 1; j <= 2; j++) {
        t = (j == 1 ? "direct" : "gateway")
        split("ttft_p50_us ttft_p99_us gap_p50_us gap_p99_us", ks, " ")
        for (q = 1; q <= 4; q++) sm[t, c, ks[q]] = median(vals["sse" SUBSEP t SUBSEP c SUBSEP ks[q]])
        sm[t, c, "ttft_max_us"] = maxof(vals["sse" SUBSEP t SUBSEP c SUBSEP "ttft_max_us"])
        sm[t, c, "gap_max_us"] = maxof(vals["sse" SUBSEP t SUBSEP c SUBSEP "gap_max_us"])
      }
      t50 = diff(sm["gateway", c, "ttft_p50_us"], sm["direct", c, "ttft_p50_us"]); t99 = diff(sm["gateway", c, "ttft_p99_us"], sm["direct", c, "ttft_p99_us"])
      g50 = diff(sm["gateway", c, "gap_p50_us"], sm["direct", c, "gap_p50_us"]); g99 = diff(sm["gateway", c, "gap_p99_us"], sm["direct", c, "gap_p99_us"])
      ev = sum["sse", "gateway", c, "events"]; exp_ev = sum["sse", "gateway", c, "expected_events"]
      pctd = (exp_ev > 0 ? 100 * ev / exp_ev : 0)
      stalled = sum["sse", "gateway", c, "stalled_streams"]; bunched = sum["sse", "gateway", c, "bunched_gaps"]
      ok_c = (t99 != "" && t99 <= 1000); if (!ok_c) ttft_ok = 0
      ttft_list = ttft_list sprintf("%sc=%d %s", (ttft_list == "" ? "" : ", "), c, verdict(ok_c))
      out(sprintf("                         c=%-5d %9s %9s %9s %9s %12d/%d %3.0f%% %8d %8d", c, dms(t50), dms(t99), dms(g50), dms(g99), ev, exp_ev, pctd, stalled, bunched))
      for (j = 1; j <= 2; j++) {
        t = (j == 1 ? "direct" : "gateway")
        bad = sum["sse", t, c, "errors"]
        if (sum["sse", t, c, "events"] < sum["sse", t, c, "expected_events"] || bad > 0) {
          out(sprintf("  ERROR: SSE c=%d %s: %d of %d events arrived; %d of %d streams failed (short %d, bad content %d, no [DONE] %d, bad status %d, cut or timed out %d)",
                      c, t, sum["sse", t, c, "events"], sum["sse", t, c, "expected_events"], bad, sum["sse", t, c, "streams"],
                      sum["sse", t, c, "short_streams"], sum["sse", t, c, "bad_content"], sum["sse", t, c, "no_done"], sum["sse", t, c, "bad_status"], sum["sse", t, c, "failed"]))
          problems++
          if (t == "gateway") deliver_ok = 0
        }
        if (sum["sse", t, c, "stalled_streams"] > 0) {
          out(sprintf("  %s: SSE c=%d %s: %d streams had a gap over 200 ms between two events (longest %.1f ms)",
                      (t == "gateway" ? "ERROR" : "WARNING"), c, t, sum["sse", t, c, "stalled_streams"], sm[t, c, "gap_max_us"] / 1000))
          problems++
        }
      }
      frag = frag sprintf("      \"%d\": {\n", c)
      for (j = 1; j <= 2; j++) {
        t = (j == 1 ? "direct" : "gateway")
        frag = frag sprintf("        \"%s\": {\"ttft_p50_us\": %s, \"ttft_p99_us\": %s, \"ttft_max_us\": %s, \"gap_p50_us\": %s, \"gap_p99_us\": %s, \"gap_max_us\": %s, \"ttft_p99_us_range\": %s, \"streams\": %d, \"ok_streams\": %d, \"failed_streams\": %d, \"events\": %d, \"expected_events\": %d, \"stalled_streams\": %d, \"gaps\": %d, \"bunched_gaps\": %d},\n",
                            t, num(sm[t, c, "ttft_p50_us"]), num(sm[t, c, "ttft_p99_us"]), num(sm[t, c, "ttft_max_us"]), num(sm[t, c, "gap_p50_us"]),
                            num(sm[t, c, "gap_p99_us"]), num(sm[t, c, "gap_max_us"]), range(vals["sse" SUBSEP t SUBSEP c SUBSEP "ttft_p99_us"]),
                            sum["sse", t, c, "streams"], sum["sse", t, c, "ok"], sum["sse", t, c, "errors"], sum["sse", t, c, "events"],
                            sum["sse", t, c, "expected_events"], sum["sse", t, c, "stalled_streams"], sum["sse", t, c, "gaps"], sum["sse", t, c, "bunched_gaps"])
      }
      frag = frag sprintf("        \"added_ttft_p50_ms\": %s, \"added_ttft_p99_ms\": %s, \"added_gap_p50_ms\": %s, \"added_gap_p99_ms\": %s, \"gateway_events_delivered_pct\": %s}%s\n",
                          msnum(t50), msnum(t99), msnum(g50), msnum(g99), num(pctd), (i < nc ? "," : ""))
    }
    c = max_c
    full = (sum["sse", "gateway", c, "events"] == sum["sse", "gateway", c, "expected_events"] && sum["sse", "gateway", c, "errors"] == 0 && sum["sse", "gateway", c, "stalled_streams"] == 0)
    out(sprintf("                         added TTFT p99 <= 1 ms: %s;  %d streams with 100%% of events, none stalled: %s", ttft_list, c, verdict(full)))
    out(sprintf("                         (gap = between consecutive events of a stream, nominally %s ms; bunched = gateway gaps under 5 ms, events that arrived together)", sse_interval_ms))
    frag = frag sprintf("    }, \"goal_p5_ttft_met\": %s, \"goal_p5_delivery_met\": %s},\n", jbool(ttft_ok), jbool(full && deliver_ok))
  }

  # ---- P6 large bodies ----
  if (have_large) {
    ns = 0; for (s in sizes) sl[++ns] = s + 0
    for (i = 2; i <= ns; i++) { x = sl[i]; for (j = i - 1; j >= 1 && sl[j] > x; j--) sl[j + 1] = sl[j]; sl[j + 1] = x }
    has_ng = (("large", "nginx") in targets); has_bare = (("large", "bare") in targets)
    line = ""; nline = ""; bline = ""
    frag = frag sprintf("    \"large_bodies\": {\"concurrency\": 1, \"run_s\": %s, \"model_field_after_messages\": true, \"by_size\": {\n", num(large_s))
    for (i = 1; i <= ns; i++) {
      s = sl[i]
      ntl = split("direct gateway bare nginx", tl, " ")
      for (j = 1; j <= ntl; j++) {
        t = tl[j]; if (!(("large", t) in targets)) continue
        lm[t, s, "p50"] = median(vals["large" SUBSEP t SUBSEP s SUBSEP "p50"]); lm[t, s, "p99"] = median(vals["large" SUBSEP t SUBSEP s SUBSEP "p99"])
        if (sum["large", t, s, "errors"] > 0) { out(sprintf("  ERROR: large bodies, %s, %s: %d of %d requests failed", size_name(s), t, sum["large", t, s, "errors"], sum["large", t, s, "requests"])); problems++ }
      }
      la50[s] = diff(lm["gateway", s, "p50"], lm["direct", s, "p50"]); la99[s] = diff(lm["gateway", s, "p99"], lm["direct", s, "p99"])
      line = line sprintf("%s%s p50 %s p99 %s", (line == "" ? "" : " | "), size_name(s), dms(la50[s]), dms(la99[s]))
      if (has_ng) nline = nline sprintf("%s%s p50 %s p99 %s", (nline == "" ? "" : " | "), size_name(s),
                                        dms(diff(lm["nginx", s, "p50"], lm["direct", s, "p50"])), dms(diff(lm["nginx", s, "p99"], lm["direct", s, "p99"])))
      # What the production features cost per size (the tokens of a long prompt are estimated for limits and budget).
      fa50[s] = (has_bare ? diff(lm["gateway", s, "p50"], lm["bare", s, "p50"]) : ""); fa99[s] = (has_bare ? diff(lm["gateway", s, "p99"], lm["bare", s, "p99"]) : "")
      if (has_bare) bline = bline sprintf("%s%s p50 %s p99 %s", (bline == "" ? "" : " | "), size_name(s), dms(fa50[s]), dms(fa99[s]))
      frag = frag sprintf("      \"%d\": {", s)
      for (j = 1; j <= ntl; j++) {
        t = tl[j]; if (!(("large", t) in targets)) continue
        frag = frag sprintf("\"%s\": {\"p50_us\": %s, \"p99_us\": %s, \"p50_us_range\": %s, \"requests\": %d, \"errors\": %d}, ", t, num(lm[t, s, "p50"]), num(lm[t, s, "p99"]),
                            range(vals["large" SUBSEP t SUBSEP s SUBSEP "p50"]), sum["large", t, s, "requests"], sum["large", t, s, "errors"])
      }
      frag = frag sprintf("\"added_p50_ms\": %s, \"added_p99_ms\": %s, \"features_added_p50_ms\": %s, \"features_added_p99_ms\": %s}%s\n",
                          msnum(la50[s]), msnum(la99[s]), msnum(fa50[s]), msnum(fa99[s]), (i < ns ? "," : ""))
    }
    lo = sl[1]; hi = sl[ns]
    d50 = diff(la50[hi], la50[lo]); d99 = diff(la99[hi], la99[lo])
    p6 = (d50 != "" && d50 <= 1000)
    out(sprintf("  P6 large bodies, c=1     gateway-direct  %s (ms)", line))
    out(sprintf("                         %s minus %s added: p50 %s ms (goal <= 1 ms: %s)   p99 %s ms (%s)", size_name(hi), size_name(lo), dms(d50), verdict(p6), dms(d99), verdict(d99 != "" && d99 <= 1000)))
    if (has_bare) out(sprintf("                         gateway-bare    %s (what keys, limits, budget, ledger, access log cost)", bline))
    if (has_ng) out(sprintf("                         nginx-direct    %s (a plain proxy hop, for scale)", nline))
    frag = frag sprintf("    }, \"added_largest_minus_smallest_p50_ms\": %s, \"added_largest_minus_smallest_p99_ms\": %s, \"goal_p6_met\": %s},\n", msnum(d50), msnum(d99), jbool(p6))
  }

  printf "  \"scenarios\": {\n%s    \"runs\": [\n%s\n    ]\n  },\n", frag, rows > json
  close(json)
  close(summary)
}
