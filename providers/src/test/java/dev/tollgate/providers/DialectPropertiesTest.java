package dev.tollgate.providers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.providers.anthropic.AnthropicDialect;
import dev.tollgate.providers.anthropic.AnthropicEnvelope;
import dev.tollgate.providers.openai.OpenAiDialect;
import dev.tollgate.providers.openai.OpenAiEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The client dialects' readers (envelope scans and full decoders) meet damaged and random bodies: each one either
 * gives a result or a clean 400 {@link GatewayException}, never another exception; and an envelope that scans
 * rewrites into a body that is still one JSON object aimed at the new model.
 */
class DialectPropertiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] INTERESTING = "{}[]\",:0123456789.-+eEtrufalsn \\u\n".getBytes(StandardCharsets.US_ASCII);
    private static final OpenAiDialect OPENAI = new OpenAiDialect();
    private static final AnthropicDialect ANTHROPIC = new AnthropicDialect();

    /** Valid bodies of both dialects, with the fields the readers treat specially: the mutations start here. */
    private static final List<String> SEEDS = List.of("""
            {"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":\
            "text","text":"hi \\u00e9"}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":\
            "function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},{"role":"tool","tool_call_id":"c1",\
            "content":"2"}],"stream":true,"stream_options":{"include_usage":false},"max_tokens":100,\
            "max_completion_tokens":50,"temperature":0.5,"stop":["x"],"n":1,"user":"u","tools":[{"type":"function",\
            "function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"auto","response_format":\
            {"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"}}},"seed":7}""", """
            {"model":"text-embedding-3-small","input":["a","b"],"encoding_format":"float","dimensions":8}""", """
            {"model":"claude-sonnet","max_tokens":1024,"system":[{"type":"text","text":"sys"}],"messages":[{"role":\
            "user","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"base64","media_type":\
            "image/png","data":"iVBORw0KGgo="}}]},{"role":"assistant","content":[{"type":"tool_use","id":"t1",\
            "name":"f","input":{"a":1}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1",\
            "content":"2"}]}],"stream":false,"metadata":{"user_id":"u"},"tools":[{"name":"f","input_schema":\
            {"type":"object"}}],"tool_choice":{"type":"auto"},"stop_sequences":["x"],"temperature":1}""");

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> mutated = Combinators.combine(Arbitraries.of(SEEDS), Arbitraries.longs(),
                Arbitraries.integers().between(0, 12)).as((seed, randomSeed, edits) -> {
                    Random random = new Random(randomSeed);
                    byte[] body = seed.getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < edits; i++) {
                        body = ClientBodies.mutate(body, random, INTERESTING);
                    }
                    return body;
                });
        Arbitrary<byte[]> anyBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        return Arbitraries.frequencyOf(Tuple.of(9, mutated), Tuple.of(1, anyBytes));
    }

    /** Runs {@code read}: a result, or a 400-class GatewayException; any other throwable fails the property. */
    private static <T> T clean(Supplier<T> read) {
        try {
            return read.get();
        } catch (GatewayException e) {
            assertThat(e.error().httpStatus()).isBetween(400, 499);
            assertThat(e.error().message()).isNotBlank();
            return null;
        }
    }

    @Property(tries = 2500)
    void openAiReadersGiveAResultOrAClean400(@ForAll("bodies") byte[] body) {
        clean(() -> OpenAiEnvelope.scan(body, body.length, Operation.CHAT));
        clean(() -> OpenAiEnvelope.scan(body, body.length, Operation.EMBEDDINGS));
        clean(() -> OPENAI.decodeChat(body));
        clean(() -> OPENAI.decodeEmbeddings(body));
    }

    @Property(tries = 2500)
    void anthropicReadersGiveAResultOrAClean400(@ForAll("bodies") byte[] body) {
        clean(() -> AnthropicEnvelope.scan(body, body.length, Operation.CHAT));
        clean(() -> AnthropicEnvelope.scan(body, body.length, Operation.COUNT_TOKENS));
        clean(() -> ANTHROPIC.decodeChat(body));
        clean(() -> ANTHROPIC.decodeCountTokens(body));
    }

    @Property(tries = 2500)
    void aScannedBodyRewritesIntoOneJsonObject(@ForAll("bodies") byte[] body, @ForAll boolean forceUsage,
                                               @ForAll @IntRange(min = 0, max = 2000) int cap) throws Exception {
        rewritesCleanly(clean(() -> OpenAiEnvelope.scan(body, body.length, Operation.CHAT)), body, forceUsage, cap,
                List.of("max_tokens", "max_completion_tokens"));
        rewritesCleanly(clean(() -> AnthropicEnvelope.scan(body, body.length, Operation.CHAT)), body, forceUsage, cap,
                List.of("max_tokens"));
    }

    /** The rewrite is one JSON object, aimed at the new model, with each of the dialect's {@code caps} lowered. */
    private static void rewritesCleanly(RequestEnvelope envelope, byte[] body, boolean forceUsage, int cap,
                                        List<String> caps) throws Exception {
        if (envelope == null || envelope.namesPrompt()) {
            return;
        }
        JsonNode out = JSON.readTree(OpenAiEnvelope.apply(body, body.length, envelope.rewrite("up", forceUsage, cap)));
        assertThat(out.isObject()).isTrue();
        assertThat(out.get("model").asText()).isEqualTo("up");
        if (cap > 0) {
            for (String field : caps) {
                JsonNode value = out.path(field);
                if (value.isInt() && value.intValue() > 0) {
                    assertThat(value.intValue()).as(field).isLessThanOrEqualTo(cap);
                }
            }
        }
    }
}
