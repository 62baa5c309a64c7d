package dev.tollgate.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachePolicyTest {
    private static final CachePolicy ON = new CachePolicy(true, Duration.ofHours(1), CachePolicy.Scope.TEAM,
            CachePolicy.Mode.DETERMINISTIC, false, 1 << 20);

    private static ChatRequest asking(Double temperature, Long seed, Integer n) {
        return new ChatRequest("m", List.of(Message.text(Role.USER, "hi")),
                new Sampling(temperature, null, null, List.of(), seed, null, null, n), List.of(), null, null, false,
                false, null, Map.of(), "openai");
    }

    private static ChatResponse answer(FinishReason reason, Part... parts) {
        return new ChatResponse("id", "m", 1, List.of(parts), reason, Usage.reported(1, 1));
    }

    @Test
    void cachesDeterministicRequestsByDefault() {
        assertThat(ON.cacheable(asking(0.0, null, null))).isTrue();
        assertThat(ON.cacheable(asking(0.7, 3L, null))).isTrue();
        assertThat(ON.cacheable(asking(null, null, null))).isFalse();
        assertThat(ON.cacheable(asking(0.7, null, null))).isFalse();
        CachePolicy all = new CachePolicy(true, ON.ttl(), ON.scope(), CachePolicy.Mode.ALL, false, 1 << 20);
        assertThat(all.cacheable(asking(0.7, null, null))).isTrue();
        assertThat(all.cacheable(asking(0.0, null, 2))).isFalse();
        assertThat(CachePolicy.DEFAULTS.cacheable(asking(0.0, null, null))).isFalse();
    }

    private static ChatRequest extended(String name, String json) {
        ChatRequest r = asking(0.0, null, null);
        return new ChatRequest(r.model(), r.messages(), r.sampling(), r.tools(), r.toolChoice(), r.responseFormat(),
                false, false, null, Map.of(name, new RawJson(json)), "openai");
    }

    @Test
    void neverCachesWhatAReplayCouldNotGiveBack() {
        assertThat(ON.cacheable(extended("logprobs", "true"))).isFalse();
        assertThat(ON.cacheable(extended("top_logprobs", "3"))).isFalse();
        assertThat(ON.cacheable(extended("thinking", "{\"type\":\"enabled\",\"budget_tokens\":1024}"))).isFalse();
        assertThat(ON.cacheable(extended("logprobs", "false"))).isTrue();
        assertThat(ON.cacheable(extended("top_logprobs", "0"))).isTrue();
        assertThat(ON.cacheable(extended("thinking", "{\"type\": \"disabled\"}"))).isTrue();
        assertThat(ON.cacheable(extended("thinking", "null"))).isTrue();
    }

    @Test
    void storesOnlyFinishedAnswers() {
        assertThat(ON.storable(answer(FinishReason.STOP, new Part.Text("a")))).isTrue();
        assertThat(ON.storable(answer(FinishReason.LENGTH, new Part.Text("a")))).isFalse();
        assertThat(ON.storable(answer(FinishReason.CONTENT_FILTER, new Part.Text("a")))).isFalse();
        assertThat(ON.storable(answer(FinishReason.STOP))).isFalse();
        ChatResponse tools = answer(FinishReason.TOOL_CALLS, new Part.ToolCall("c", "f", "{}"));
        assertThat(ON.storable(tools)).isFalse();
        assertThat(new CachePolicy(true, ON.ttl(), ON.scope(), ON.mode(), true, 1 << 20).storable(tools)).isTrue();
    }

    @Test
    void aRequestMayShortenTheTtlOnly() {
        assertThat(ON.ttlFor(null)).isEqualTo(Duration.ofHours(1));
        assertThat(ON.ttlFor(Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(5));
        assertThat(ON.ttlFor(Duration.ofHours(5))).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void scopeIds() {
        assertThat(CachePolicy.Scope.TEAM.id("bot", "support")).isEqualTo("team:support");
        assertThat(CachePolicy.Scope.TEAM.id("bot", null)).isEqualTo("key:bot");
        assertThat(CachePolicy.Scope.KEY.id("bot", "support")).isEqualTo("key:bot");
        assertThat(CachePolicy.Scope.KEY.id(null, null)).isEqualTo("anonymous");
        assertThat(CachePolicy.Scope.GLOBAL.id("bot", "support")).isEqualTo("global");
    }

    @Test
    void aReplayedAnswerAssemblesBackToItself() {
        ChatResponse original = new ChatResponse("id", "m", 7, List.of(new Part.Text("hello"),
                new Part.ToolCall("c1", "f", "{\"a\":1}"), new Part.ToolCall("c2", "g", "{}")),
                FinishReason.TOOL_CALLS, Usage.reported(3, 4));
        var assembler = new AnswerAssembler();
        ReplayEvents.of(original, "id").forEach(assembler::accept);
        assertThat(assembler.result("fallback", Usage.UNKNOWN)).isEqualTo(original);
    }

    @Test
    void anUnfinishedOrFailedStreamAssemblesToNothing() {
        var unfinished = new AnswerAssembler();
        unfinished.accept(new StreamEvent.TextDelta(0, "half"));
        assertThat(unfinished.result("m", Usage.UNKNOWN)).isNull();
        var failed = new AnswerAssembler();
        failed.accept(new StreamEvent.TextDelta(0, "half"));
        failed.accept(new StreamEvent.Failure(dev.tollgate.core.model.GatewayError.of(
                dev.tollgate.core.model.ErrorKind.PROVIDER_ERROR, "x")));
        failed.accept(new StreamEvent.Finish(FinishReason.STOP));
        assertThat(failed.result("m", Usage.UNKNOWN)).isNull();
    }
}
