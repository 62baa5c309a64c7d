package dev.tollgate.server.health;

/**
 * The load a self-hosted server reports in its Prometheus text: vLLM ({@code vllm:num_requests_running},
 * {@code vllm:num_requests_waiting}, {@code vllm:kv_cache_usage_perc} or the older
 * {@code vllm:gpu_cache_usage_perc}) or TGI ({@code tgi_batch_current_size} running, {@code tgi_queue_size}
 * waiting). Request counts are summed over label sets (one server may report per model or per engine); cache
 * usage takes the fullest, since one full engine is what makes new requests wait. Pure.
 *
 * @param running requests being generated
 * @param waiting requests queued for a slot
 * @param cacheUsage the fullest KV cache as a fraction in [0, 1], or -1 when not reported
 */
public record LoadReport(double running, double waiting, double cacheUsage) {
    /** KV cache usage at which a server starts preempting or queueing whatever comes next. */
    static final double CACHE_FULL = 0.95;
    /** Added to the score of a server whose cache is full: above any plausible queue, so it is chosen last. */
    static final double CACHE_FULL_PENALTY = 1000;

    /**
     * The score {@code DeploymentLoad.serverLoad} carries, lower is better: running plus twice waiting (a queued
     * request waits for a slot and then runs), plus {@link #CACHE_FULL_PENALTY} when the cache is at least
     * {@link #CACHE_FULL}.
     */
    public double score() {
        return running + 2 * waiting + (cacheUsage >= CACHE_FULL ? CACHE_FULL_PENALTY : 0);
    }

    /** The report in a metrics page; null when it holds none of the gauges above. */
    public static LoadReport parse(String text) {
        double running = 0;
        double waiting = 0;
        double cache = -1;
        boolean known = false;
        int end;
        for (int start = 0; start < text.length(); start = end + 1) {
            end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            Sample sample = Sample.parse(text, start, end);
            if (sample == null) {
                continue;
            }
            switch (sample.name()) {
                case "vllm:num_requests_running", "tgi_batch_current_size" -> {
                    running += sample.value();
                    known = true;
                }
                case "vllm:num_requests_waiting", "tgi_queue_size" -> {
                    waiting += sample.value();
                    known = true;
                }
                case "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc" -> {
                    cache = Math.max(cache, sample.value());
                    known = true;
                }
                default -> { }
            }
        }
        return known ? new LoadReport(running, waiting, cache) : null;
    }

    /** One sample line: {@code name{labels} value [timestamp]}. */
    private record Sample(String name, double value) {
        /** The sample on text[start, end), or null for a comment, a blank or a malformed line or value. */
        static Sample parse(String text, int start, int end) {
            int i = start;
            while (i < end && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i == end || text.charAt(i) == '#') {
                return null;
            }
            int nameStart = i;
            while (i < end && text.charAt(i) != '{' && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            String name = text.substring(nameStart, i);
            if (i < end && text.charAt(i) == '{') {
                i = afterLabels(text, i + 1, end);
                if (i < 0) {
                    return null;
                }
            }
            while (i < end && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int valueStart = i;
            while (i < end && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            try {
                double value = Double.parseDouble(text.substring(valueStart, i));
                return Double.isFinite(value) && value >= 0 ? new Sample(name, value) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /** The index after the closing brace of a label set starting at i; quoted values may hold braces. */
        private static int afterLabels(String text, int i, int end) {
            boolean quoted = false;
            for (; i < end; i++) {
                char c = text.charAt(i);
                if (quoted && c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == '}' && !quoted) {
                    return i + 1;
                }
            }
            return -1;
        }
    }
}
