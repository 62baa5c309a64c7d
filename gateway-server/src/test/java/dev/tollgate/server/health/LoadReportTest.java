package dev.tollgate.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoadReportTest {
    static final String VLLM = """
            # HELP vllm:num_requests_running Number of requests in model execution batches.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{engine="0",model_name="llama"} 3.0
            vllm:num_requests_running{engine="1",model_name="llama"} 2.0
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="llama"} 4.0
            vllm:num_requests_waiting{engine="1",model_name="llama"} 0.0
            # TYPE vllm:kv_cache_usage_perc gauge
            vllm:kv_cache_usage_perc{engine="0",model_name="llama"} 0.42
            vllm:kv_cache_usage_perc{engine="1",model_name="llama"} 0.17
            # TYPE vllm:prompt_tokens_total counter
            vllm:prompt_tokens_total{engine="0",model_name="llama"} 123456.0
            vllm:num_requests_running_extra 99
            """;

    @Test
    void sumsVllmRequestsOverLabelSetsAndTakesTheFullestCache() {
        var report = LoadReport.parse(VLLM);
        assertThat(report).isEqualTo(new LoadReport(5, 4, 0.42));
        assertThat(report.score()).isEqualTo(13);
    }

    @Test
    void aFullCacheAddsThePenalty() {
        var report = LoadReport.parse("""
                vllm:num_requests_running{model_name="m"} 1
                vllm:gpu_cache_usage_perc{model_name="m"} 0.97
                """);
        assertThat(report.score()).isEqualTo(1 + LoadReport.CACHE_FULL_PENALTY);
    }

    @Test
    void readsTgi() {
        var report = LoadReport.parse("""
                # TYPE tgi_queue_size gauge
                tgi_queue_size 6
                # TYPE tgi_batch_current_size gauge
                tgi_batch_current_size 8 1717000000000
                """);
        assertThat(report).isEqualTo(new LoadReport(8, 6, -1));
        assertThat(report.score()).isEqualTo(20);
    }

    @Test
    void labelValuesMayHoldBracesQuotesAndSpaces() {
        var report = LoadReport.parse("vllm:num_requests_waiting{model_name=\"a} \\\"b\\\" {c\"} 7\n");
        assertThat(report).isEqualTo(new LoadReport(0, 7, -1));
    }

    @Test
    void nothingKnownIsNull() {
        assertThat(LoadReport.parse("")).isNull();
        assertThat(LoadReport.parse("# just comments\nprocess_cpu_seconds_total 12\n")).isNull();
        assertThat(LoadReport.parse("vllm:num_requests_running NaN\nvllm:num_requests_waiting +Inf\n"
                + "tgi_queue_size -3\nvllm:num_requests_running{model=\"unclosed 5\n")).isNull();
    }

    @Test
    void randomTextNeverThrows() {
        String alphabet = "vlm:_num_requests_running{}\"\\= 0123456789.\n#eE+-";
        var random = new SplittableRandom(7);
        for (int round = 0; round < 5000; round++) {
            var text = new StringBuilder();
            int length = random.nextInt(120);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            var report = LoadReport.parse(text.toString());
            if (report != null) {
                assertThat(report.score()).isGreaterThanOrEqualTo(0);
            }
        }
    }
}
