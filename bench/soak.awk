# Turns bench/run.sh's soak samples into the P7 soak lines of the summary and a "soak" JSON member. POSIX awk.
#
# Input (tab-separated), one row per sample, on a fixed grid from the soak's start:
#   milliseconds_since_start  rss_kB  heap_used_bytes (empty when /metrics did not answer)
# Variables (-v): summary, json (output files), minutes, sample_s, skip_s (the start left out of the fit), flat_mb
#                 (the most the fitted line may rise over the rest and still be flat), ceiling_mb (P7's 300 MB),
#                 open_rate, sse_conc, open and sse (the soak clients' OPEN_RESULT / SSE_RESULT key=value lines)
#
# The slope is the least-squares line through the RSS samples from skip_s on, in MB per minute; growth is that
# slope times the time those samples span. Flat means growth under flat_mb (bench/README.md, "Soak", says why).

function kv(line, key,   n, i, parts, eq) {
  n = split(line, parts, " ")
  for (i = 1; i <= n; i++) { eq = index(parts[i], "="); if (eq > 0 && substr(parts[i], 1, eq - 1) == key) return substr(parts[i], eq + 1) }
  return ""
}
function mb(kb) { return kb / 1024 }
function verdict(ok) { return ok ? "meets" : "MISSES" }
function jbool(b) { return b ? "true" : "false" }
function num(v) { return (v == "" ? "null" : sprintf("%.6g", v)) }
function out(s) { printf "%s\n", s > summary }

NF >= 2 {
  n++
  t[n] = $1 / 60000; rss[n] = mb($2)
  h = ($3 == "" ? "null" : sprintf("%.1f", $3 / 1048576))
  if ($3 != "") { hn++; hv = $3 / 1048576; if (hn == 1) { hfirst = hv; hmax = hv }; if (hv > hmax) hmax = hv; hlast = hv }
  series = series sprintf("%s[%.1f, %.1f, %s]", (series == "" ? "" : ", "), $1 / 1000, rss[n], h)
}

END {
  if (n == 0) { out("  ERROR: soak: no samples of the gateway's memory were taken"); exit 0 }
  rmax = rss[1]
  for (i = 2; i <= n; i++) if (rss[i] > rmax) rmax = rss[i]
  heap_text = (hn == 0 ? "JVM heap used n/a (/metrics never answered)" : \
               sprintf("JVM heap used start %.0f MB, max %.0f MB, end %.0f MB", hfirst, hmax, hlast))
  # Least squares over the samples after the first skip_s seconds, in minutes and MB.
  m = 0; sx = 0; sy = 0; sxx = 0; sxy = 0
  for (i = 1; i <= n; i++) {
    if (t[i] * 60 < skip_s) continue
    if (m == 0) first = t[i]
    m++; last = t[i]; sx += t[i]; sy += rss[i]; sxx += t[i] * t[i]; sxy += t[i] * rss[i]
  }
  den = m * sxx - sx * sx
  slope = ""; growth = ""; window = ""
  if (m >= 3 && den > 0) { slope = (m * sxy - sx * sy) / den; window = last - first; growth = slope * window }
  under = (rmax <= ceiling_mb); flat = (growth != "" && growth < flat_mb)

  out(sprintf("  %-22s RSS start %.0f MB, max %.0f MB, end %.0f MB (goal <= %d MB: %s)",
              "P7 soak, " minutes " min", rss[1], rmax, rss[n], ceiling_mb, verdict(under)))
  if (growth != "")
    out(sprintf("                         after the first %d s: %+.2f MB/min (least squares), %+.1f MB over %.1f min (flat = under %s MB: %s)",
                skip_s, slope, growth, window, flat_mb, verdict(flat)))
  else
    out(sprintf("                         after the first %d s: too few samples for a slope (%d): not judged flat", skip_s, m))
  out(sprintf("                         P7 soak verdict: %s;  %s; %d samples %s s apart", verdict(under && flat), heap_text, n, sample_s))

  osent = kv(open, "sent"); oerr = kv(open, "errors"); sstreams = kv(sse, "streams"); serr = kv(sse, "errors")
  out(sprintf("                         load: %s req/s on the 20 ms mock (p50 %.1f ms, p99 %.1f ms, %d of %d failed) + %d SSE streams (%d streams, %d failed)",
              open_rate, kv(open, "p50_us") / 1000, kv(open, "p99_us") / 1000, oerr, osent, sse_conc, sstreams, serr))
  if (open == "" || sse == "") out("  ERROR: soak: a load client printed no result: the load was not what it says")
  if (oerr + 0 > 0 || serr + 0 > 0)
    out(sprintf("  ERROR: soak: %d requests and %d streams of its load failed: the gateway was not under the load stated", oerr, serr))
  # Five times the mock's 20 ms: the gateway (or the machine) did not keep up, and a backlog of waiting requests
  # and connections is part of what the RSS shows.
  if (kv(open, "p99_us") + 0 > 100000)
    out(sprintf("  WARNING: soak: the gateway fell behind its load (p99 %.0f ms on a 20 ms mock): the RSS includes a backlog; lower SOAK_RATE", kv(open, "p99_us") / 1000))

  printf "  \"soak\": {\"minutes\": %d, \"sample_interval_s\": %s, \"samples\": %d, \"rss_start_mb\": %.1f, \"rss_max_mb\": %.1f, \"rss_end_mb\": %.1f,\n",
         minutes, num(sample_s), n, rss[1], rmax, rss[n] > json
  printf "    \"fit_from_s\": %s, \"fit_window_min\": %s, \"rss_slope_mb_per_min\": %s, \"rss_growth_mb\": %s, \"flat_threshold_mb\": %s, \"ceiling_mb\": %s,\n",
         num(skip_s), num(window), num(slope), num(growth), num(flat_mb), num(ceiling_mb) > json
  printf "    \"rss_under_ceiling\": %s, \"rss_flat\": %s, \"goal_p7_soak_met\": %s,\n", jbool(under), jbool(flat), jbool(under && flat) > json
  printf "    \"heap_used_start_mb\": %s, \"heap_used_max_mb\": %s, \"heap_used_end_mb\": %s,\n", num(hfirst), num(hmax), num(hlast) > json
  printf "    \"load\": {\"open_loop_rate\": %s, \"open_loop_sent\": %s, \"open_loop_errors\": %s, \"open_loop_p50_us\": %s, \"open_loop_p99_us\": %s, \"sse_concurrency\": %s, \"sse_streams\": %s, \"sse_errors\": %s},\n",
         num(open_rate), num(osent), num(oerr), num(kv(open, "p50_us")), num(kv(open, "p99_us")), num(sse_conc), num(sstreams), num(serr) > json
  printf "    \"series_s_rss_mb_heap_mb\": [%s]},\n", series > json
  close(json); close(summary)
}
