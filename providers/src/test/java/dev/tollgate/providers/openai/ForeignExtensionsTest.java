package dev.tollgate.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForeignExtensionsTest {
    private final OpenAiAdapter adapter = new OpenAiAdapter();

    private static ChatRequest from(String dialect, Map<String, RawJson> extensions) {
        return new ChatRequest("m", List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, List.of(), null, null,
                false, false, null, extensions, dialect);
    }

    private String body(ChatRequest request) {
        return new String(adapter.prepare(request, OpenAiDialectTest.deployment()).body());
    }

    @Test
    void ownExtensionsPassThroughAndForeignOnesFollowTheTable() throws IOException {
        var own = from("openai", Map.of("logprobs", new RawJson("true"), "x_custom", new RawJson("{\"a\":1}")));
        assertThat(body(own)).contains("\"logprobs\":true").contains("\"x_custom\":{\"a\":1}");

        var anthropic = from("anthropic", Map.of(
                "disable_parallel_tool_use", new RawJson("true"),
                "top_k", new RawJson("40"),
                "thinking", new RawJson("{\"type\":\"enabled\",\"budget_tokens\":1024}"),
                "metadata", new RawJson("{\"user_id\":\"u\"}"),
                "service_tier", new RawJson("\"auto\""),
                "anything_null", new RawJson("null")));
        var sent = new ObjectMapper().readTree(body(anthropic));
        assertThat(sent.get("parallel_tool_calls").asBoolean()).isFalse();
        assertThat(sent.get("top_k").asInt()).isEqualTo(40);
        assertThat(sent.has("thinking")).isFalse();
        assertThat(sent.has("metadata")).isFalse();
        assertThat(sent.has("service_tier")).isFalse();
        assertThat(sent.has("anything_null")).isFalse();
    }

    @Test
    void refusesForeignExtensionsWithNoEquivalent() {
        assertThatThrownBy(() -> body(from("anthropic", Map.of("container", new RawJson("\"c1\"")))))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().param()).isEqualTo("container");
                    assertThat(e.error().code()).isEqualTo("parameter_not_supported");
                    assertThat(e.error().httpStatus()).isEqualTo(400);
                });
    }
}
