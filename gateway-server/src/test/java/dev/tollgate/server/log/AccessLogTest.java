package dev.tollgate.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.guard.GuardResult;
import dev.tollgate.core.guard.GuardStage;
import dev.tollgate.core.guard.Verdict;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.spi.Operation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    @Test
    void writesOneJsonLinePerExchangeWithAnIsoTimestamp() throws Exception {
        var out = new ByteArrayOutputStream();
        var sink = new LogSink(out, 16);
        var log = new AccessLog(sink);
        log.write(new ExchangeSummary("req_1", "chat", Operation.CHAT, "fast", "m-2026", "fast/mock/m", "mock", 200,
                Outcome.SUCCESS, null,
                true, 12_345_678, 2_500_000, 11_000_000, new Usage(10, 20, 4, 0, 3, true), "bot", "support", "alice",
                Money.ofUsd("0.0125"), false, "req_1",
                new RouteTrace("premium", "long-prompts", null, 2, List.of("fast/mock/x", "fast/mock/m"), false), null,
                new PromptUse("support", 3, "production", "tone", "concise"),
                List.of(new Verdict("scrub", GuardStage.INPUT, GuardResult.REDACT),
                        new Verdict("no-keys", GuardStage.OUTPUT, GuardResult.BLOCK))));
        log.write(new ExchangeSummary("req_2", "other", null, null, null, null, null, 404, Outcome.CALLER_ERROR,
                ErrorKind.NOT_FOUND, false, 90_000, -1, -1, Usage.UNKNOWN, null, null, null, Money.ZERO, false,
                "req_2", RouteTrace.NONE, null, null));
        sink.close();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        var mapper = new ObjectMapper();
        var first = mapper.readTree(lines[0]);
        assertThat(first.get("ts").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(Instant.parse(first.get("ts").asText())).isBetween(Instant.now().minusSeconds(60), Instant.now());
        assertThat(first.get("request_id").asText()).isEqualTo("req_1");
        assertThat(first.get("latency_ms").decimalValue()).isEqualByComparingTo("12.345");
        assertThat(first.get("ttft_ms").decimalValue()).isEqualByComparingTo("2.500");
        assertThat(first.get("tokens_in").asLong()).isEqualTo(10);
        assertThat(first.get("usage_reported").asBoolean()).isTrue();
        assertThat(first.get("key").asText()).isEqualTo("bot");
        assertThat(first.get("team").asText()).isEqualTo("support");
        assertThat(first.get("user").asText()).isEqualTo("alice");
        assertThat(first.get("cost_usd").asText()).isEqualTo("0.0125");
        assertThat(first.get("cost_estimated").asBoolean()).isFalse();
        var second = mapper.readTree(lines[1]);
        assertThat(first.get("tier").asText()).isEqualTo("premium");
        assertThat(first.get("tier_rule").asText()).isEqualTo("long-prompts");
        assertThat(first.get("variant").isNull()).isTrue();
        assertThat(first.get("attempts").asInt()).isEqualTo(2);
        assertThat(first.get("tried").asText()).isEqualTo("fast/mock/x,fast/mock/m");
        assertThat(first.get("fell_back").asBoolean()).isFalse();
        assertThat(second.get("tried").isNull()).isTrue();
        assertThat(second.get("model").isNull()).isTrue();
        assertThat(first.get("response_model").asText()).isEqualTo("m-2026");
        assertThat(second.get("response_model").isNull()).isTrue();
        assertThat(second.get("error_type").asText()).isEqualTo("not_found");
        assertThat(second.get("ttft_ms").asInt()).isEqualTo(-1);
        assertThat(first.get("prompt").asText()).isEqualTo("support");
        assertThat(first.get("prompt_version").asInt()).isEqualTo(3);
        assertThat(first.get("prompt_label").asText()).isEqualTo("production");
        assertThat(first.get("experiment").asText()).isEqualTo("tone/concise");
        assertThat(first.get("guardrails").asText()).isEqualTo("input:scrub:redact,output:no-keys:block");
        for (String field : List.of("prompt", "prompt_version", "prompt_label", "experiment", "guardrails")) {
            assertThat(second.get(field).isNull()).as(field).isTrue();
        }
    }
}
