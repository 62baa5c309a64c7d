package dev.tollgate.providers.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.PromptRequest;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.providers.anthropic.AnthropicDialect;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnthropicPromptMergeTest {
    private static final String VARS = "{\"product\":\"Acme\",\"ticket\":\"t-1\"}";
    private final AnthropicDialect dialect = new AnthropicDialect();

    private JsonNode merge(String body, Operation operation, PromptRequest headers) throws IOException {
        return Json.MAPPER.readTree(dialect.mergePrompt(body.getBytes(StandardCharsets.UTF_8), operation, headers,
                PromptFixture.resolver()).body());
    }

    @Test
    void theEnvelopeDefersModelMessagesAndMaxTokensToThePrompt() {
        RequestEnvelope e = dialect.envelope("{\"prompt\":{\"id\":\"support\"},\"messages\":[]}"
                .getBytes(StandardCharsets.UTF_8), Operation.CHAT);
        assertThat(e.namesPrompt()).isTrue();
    }

    @Test
    void aloneThePromptsSystemIsAString() throws IOException {
        JsonNode body = merge("""
                {"model":"mine","messages":[{"role":"user","content":"hi"}],"metadata":{"user_id":"u1"},
                 "prompt":{"id":"support","version":1,"variables":{"product":"Acme","ticket":"t-1"}}}""",
                Operation.CHAT, PromptRequest.NONE);
        assertThat(body.has("prompt")).isFalse();
        assertThat(body.get("system").asText()).isEqualTo("You answer for Acme.");
        assertThat(body.get("messages").toString()).isEqualTo("""
                [{"role":"user","content":"Ticket: t-1"},{"role":"user","content":"hi"}]""");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(300);
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.get("stop_sequences").toString()).isEqualTo("[\"END\"]");
        assertThat(body.get("model").asText()).isEqualTo("mine"); // a pinned version: in no experiment
        assertThat(dialect.envelope(Json.MAPPER.writeValueAsBytes(body), Operation.CHAT).model()).isEqualTo("mine");
    }

    @Test
    void theClientsSystemBlocksFollowThePromptsWithTheirCacheControlIntact() throws IOException {
        JsonNode blocks = merge("""
                {"model":"m","max_tokens":5,"messages":[],
                 "system":[{"type":"text","text":"own","cache_control":{"type":"ephemeral"}}]}""",
                Operation.CHAT, new PromptRequest("support@1", VARS)).get("system");
        assertThat(blocks.toString()).isEqualTo("""
                [{"type":"text","text":"You answer for Acme."},\
                {"type":"text","text":"own","cache_control":{"type":"ephemeral"}}]""");
        JsonNode fromString = merge("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[],\"system\":\"own\"}",
                Operation.CHAT, new PromptRequest("support@1", VARS));
        assertThat(fromString.get("system").toString()).isEqualTo("""
                [{"type":"text","text":"You answer for Acme."},{"type":"text","text":"own"}]""");
        assertThat(fromString.get("max_tokens").asInt()).isEqualTo(5); // the client's own
    }

    @Test
    void aSystemMessageOfThePromptJoinsTheSystemText() throws IOException {
        JsonNode body = merge("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
                Operation.CHAT, new PromptRequest("support@2", VARS));
        assertThat(body.get("system").asText()).isEqualTo("v2 for Acme.\n\nBe brief.");
        assertThat(body.get("messages").size()).isEqualTo(1);
    }

    @Test
    void countTokensGetsTheTextsButNoGenerationParameters() throws IOException {
        JsonNode body = merge("{\"model\":\"m\",\"messages\":[]}", Operation.COUNT_TOKENS,
                new PromptRequest("support@1", VARS));
        assertThat(body.has("max_tokens")).isFalse();
        assertThat(body.has("temperature")).isFalse();
        assertThat(body.get("messages").size()).isEqualTo(1);
        assertThat(dialect.envelope(Json.MAPPER.writeValueAsBytes(body), Operation.COUNT_TOKENS).namesPrompt())
                .isFalse();
    }

    @Test
    void theArmsModelWinsAndTheVersionsFillsIn() throws IOException {
        assertThat(merge("{\"model\":\"mine\",\"messages\":[]}", Operation.CHAT, new PromptRequest("support", VARS))
                .get("model").asText()).isEqualTo("other-chat");
        assertThat(merge("{\"model\":\"\",\"messages\":[]}", Operation.CHAT, new PromptRequest("support@1", VARS))
                .get("model").asText()).isEqualTo("chat-v1");
    }

    @Test
    void aTopLevelKeyGivenTwiceIsTheEnvelopesDuplicateKey400() {
        GatewayError e = catchThrowableOfType(GatewayException.class, () -> merge(
                "{\"model\":\"a\",\"max_tokens\":5,\"max_tokens\":6,\"messages\":[]}", Operation.CHAT,
                new PromptRequest("support@1", VARS))).error();
        assertThat(e.code()).isEqualTo("duplicate_key");
        assertThat(e.message()).isEqualTo("max_tokens: Duplicate key in the request body");
    }
}
