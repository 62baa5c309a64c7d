-- wrk script for bench/run.sh: POSTs one small non-streaming chat completion for model "bench", the same
-- bytes to every target (the mock directly, the gateway, nginx), so the only difference is the hop.
--
-- When wrk finishes it also prints one machine-readable line, "BENCH_RESULT key=value ...", with latencies
-- in microseconds straight from wrk's histogram, so run.sh does not have to parse wrk's rounded,
-- unit-suffixed text (it still can, as a fallback, when the line is missing).
--
-- Optional: BENCH_API_KEY=... sends "Authorization: Bearer ..." (for configs that require a virtual key);
-- BENCH_BODY_BYTES=N sends a body of exactly N bytes instead (see below).

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local key = os.getenv("BENCH_API_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
wrk.body = '{"model":"bench","messages":[' ..
  '{"role":"system","content":"You are a terse assistant."},' ..
  '{"role":"user","content":"Say hello in five words."}],' ..
  '"max_tokens":16,"temperature":0,"stream":false}'

-- Large-body scenario (P6): BENCH_BODY_BYTES=N makes the body exactly N bytes, the bulk a long user message
-- of plain words. "messages" comes first and "model" after it, the order the OpenAI Python SDK sends, so a
-- gateway has to get past the whole message to find the model.
local size = tonumber(os.getenv("BENCH_BODY_BYTES") or "")
if size then
  local head = '{"messages":[{"role":"system","content":"You are a terse assistant."},' ..
               '{"role":"user","content":"Summarise this: '
  local tail = '"}],"model":"bench","max_tokens":16,"temperature":0,"stream":false}'
  local fill = size - #head - #tail
  if fill < 0 then error("BENCH_BODY_BYTES=" .. size .. " is smaller than the request's fixed part") end
  local words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
  local text = string.rep(words, math.floor(fill / #words) + 1):sub(1, fill)
  wrk.body = head .. text .. tail
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d bytes=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f " ..
    "mean_us=%.1f stdev_us=%.1f max_us=%.1f connect_errors=%d read_errors=%d write_errors=%d " ..
    "status_errors=%d timeout_errors=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.mean, latency.stdev, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
