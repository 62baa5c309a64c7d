package dev.tollgate.providers.anthropic;

import static dev.tollgate.providers.ClientBodies.literal;
import static dev.tollgate.providers.ClientBodies.mutate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.Splice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnthropicEnvelopeTest {

    /** Strict: a rewritten body with anything after its object is a failure. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private final AnthropicDialect dialect = new AnthropicDialect();

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static AnthropicEnvelope scan(String body) {
        byte[] b = bytes(body);
        return AnthropicEnvelope.scan(b, b.length, Operation.CHAT);
    }

    /** {@code body} with the splices applied, as the server assembles it from slices. */
    static byte[] apply(byte[] body, int length, List<Splice> splices) {
        var out = new java.io.ByteArrayOutputStream(length + 64);
        int from = 0;
        for (Splice s : splices) {
            out.write(body, from, s.start() - from);
            out.writeBytes(s.replacement());
            from = s.end();
        }
        out.write(body, from, length - from);
        return out.toByteArray();
    }

    private static String rewritten(String body, String model) {
        byte[] b = bytes(body);
        return new String(apply(b, b.length, scan(body).rewrite(model, true, 0)), StandardCharsets.UTF_8);
    }

    @Test
    void findsTheFieldsInAnyOrderWithWhitespaceAndEscapes() {
        AnthropicEnvelope envelope = scan(" {\n\t\"messages\":[{\"role\":\"user\",\"content\":\"\\\"model\\\": \\\"x\\\"\"}],\r\n"
                + "\"max_tokens\" : 1024 ,\"m\\u006fdel\" :\t\"claude\\u002dsonnet \\u00e9\\ud83d\\ude00\" , \"stream\" : true } \n");
        assertThat(envelope.model()).isEqualTo("claude-sonnet é😀");
        assertThat(envelope.stream()).isTrue();
        assertThat(envelope.clientWantsUsage()).isTrue();
    }

    @Test
    void readsTheEndUserFromMetadataUserId() {
        String body = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{}],";
        assertThat(scan(body + "\"metadata\":{\"x\":[1],\"user_id\":\"alice\"}}").user()).isEqualTo("alice");
        assertThat(scan(body + "\"metadata\":{\"user_id\":null}}").user()).isNull();
        assertThat(scan(body + "\"metadata\":null}").user()).isNull();
        assertThat(scan(body + "\"metadata\":{}}").user()).isNull();
    }

    @Test
    void findsTheModelAfterHugeMessages() {
        String content = "x".repeat(1 << 20);
        var body = new StringBuilder("{\"max_tokens\":9,\"messages\":[");
        for (int i = 0; i < 5; i++) {
            body.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"").append(content).append("\"}");
        }
        body.append("],\"model\":\"late-model\"}");
        AnthropicEnvelope envelope = scan(body.toString());
        assertThat(envelope.model()).isEqualTo("late-model");
        assertThat(envelope.stream()).isFalse();
        assertThat(rewritten(body.toString(), "up")).endsWith("],\"model\":\"up\"}");
    }

    @Test
    void rewriteReplacesOnlyTheModelValueEvenWhenUsageIsForced() {
        assertThat(rewritten("{\"model\" : \"claude-sonnet\", \"max_tokens\":9,\"messages\":[{}],\"stream\":true}", "claude-sonnet-4-5-20250929"))
                .isEqualTo("{\"model\" : \"claude-sonnet-4-5-20250929\", \"max_tokens\":9,\"messages\":[{}],\"stream\":true}");
        assertThat(rewritten("{\"model\":\"a\",\"max_tokens\":9,\"messages\":[{}]}", "say \"hi\"\\\u0001é"))
                .isEqualTo("{\"model\":\"say \\\"hi\\\"\\\\\\u0001é\",\"max_tokens\":9,\"messages\":[{}]}");
        assertThat(scan("{\"model\":\"a\",\"max_tokens\":9,\"messages\":[{}]}").rewrite("b", true, 0)).hasSize(1);
    }

    @Test
    void countTokensNeedsNoMaxTokens() {
        byte[] body = bytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":\"ignored\"}");
        assertThat(AnthropicEnvelope.scan(body, body.length, Operation.COUNT_TOKENS).model()).isEqualTo("m");
        byte[] none = bytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(AnthropicEnvelope.scan(none, none.length, Operation.COUNT_TOKENS).model()).isEqualTo("m");
        assertThat(catchThrowableOfType(GatewayException.class, () -> AnthropicEnvelope.scan(none, none.length, Operation.CHAT))
                .error().param()).isEqualTo("max_tokens");
    }

    @Test
    void embeddingsAreNotAnAnthropicOperation() {
        byte[] body = bytes("{\"model\":\"m\",\"input\":\"x\"}");
        assertThatThrownBy(() -> dialect.envelope(body, Operation.EMBEDDINGS)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scansOnlyTheGivenLength() {
        byte[] buffer = bytes("{\"model\":\"a\",\"max_tokens\":9,\"messages\":[{}]}GARBAGE");
        int length = buffer.length - 7;
        AnthropicEnvelope envelope = AnthropicEnvelope.scan(buffer, length, Operation.CHAT);
        assertThat(new String(apply(buffer, length, envelope.rewrite("b", false, 0)), StandardCharsets.UTF_8))
                .isEqualTo("{\"model\":\"b\",\"max_tokens\":9,\"messages\":[{}]}");
    }

    static Stream<String> badBodies() {
        String ok = "\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        return Stream.of(
                "{\"model\":", "nope", "", "[]", "\"s\"", "{\"model\":\"m\"," + ok + "} x", "{\"model\":\"m\"," + ok + "}{}",
                "{" + ok + "}", "{\"model\":5," + ok + "}", "{\"model\":null," + ok + "}", "{\"model\":\"a\",\"model\":\"b\"," + ok + "}",
                "{\"model\":\"m\",\"max_tokens\":9}", "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[]}",
                "{\"model\":\"m\",\"max_tokens\":9,\"messages\":{}}", "{\"model\":\"m\",\"max_tokens\":9,\"messages\":null}",
                "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},7]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                "{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                "{\"model\":\"m\"," + ok + ",\"stream\":\"yes\"}",
                "{\"model\":\"m\"," + ok + ",\"api_base\":\"http://169.254.169.254/\"}",
                "{\"base_url\":\"http://evil\",\"model\":\"m\"," + ok + "}",
                "{\"model\":\"m\"," + ok + ",\"extra_body\":{\"api_base\":\"http://evil\"}}",
                "{\"model\":\"m\"," + ok + ",\"aws_secret_access_key\":\"x\"}",
                "{\"model\":\"m\"," + ok + ",\"x\":" + "[".repeat(100_000),
                "{\"a\":".repeat(50_000));
    }

    /** The envelope refuses what the dialect refuses, with the same 400. */
    @ParameterizedTest
    @MethodSource("badBodies")
    void refusesLikeTheDialect(String body) {
        byte[] b = bytes(body);
        GatewayError fromEnvelope = catchThrowableOfType(GatewayException.class,
                () -> AnthropicEnvelope.scan(b, b.length, Operation.CHAT)).error();
        GatewayError fromDialect = catchThrowableOfType(GatewayException.class, () -> dialect.decodeChat(b)).error();
        assertThat(fromEnvelope.httpStatus()).isEqualTo(400);
        assertThat(fromEnvelope.param()).isEqualTo(fromDialect.param());
        assertThat(fromEnvelope.code()).isEqualTo(fromDialect.code());
        assertThat(fromEnvelope.message()).isEqualTo(fromDialect.message());
    }

    /** Fields that would aim or authenticate the upstream call are refused by name, wherever they sit. */
    @ParameterizedTest
    @ValueSource(strings = {"api_base", "base_url", "api_key", "api_version",
            "extra_headers", "extra_body", "extra_query", "custom_llm_provider", "azure_endpoint", "organization",
            "aws_access_key_id", "aws_region_name", "vertex_credentials", "user_config", "litellm_embedding_config"})
    void refusesUpstreamOverrides(String field) {
        for (String value : List.of("\"http://169.254.169.254/\"", "null", "{\"a\":1}")) {
            byte[] b = bytes("{\"" + field + "\":" + value + ",\"model\":\"m\",\"max_tokens\":5,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            GatewayError error = catchThrowableOfType(GatewayException.class,
                    () -> AnthropicEnvelope.scan(b, b.length, Operation.CHAT)).error();
            assertThat(error.httpStatus()).isEqualTo(400);
            assertThat(error.param()).isEqualTo(field);
            assertThat(error.code()).isEqualTo("parameter_not_allowed");
        }
    }

    @Test
    void keepsOrdinaryFieldsThatMerelyLookAlike() {
        byte[] b = bytes("{\"model\":\"m\",\"max_tokens\":5,\"metadata\":{\"api_base\":\"x\"},\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"api_base\"}],\"base\":1,\"aws\":2,\"my_api_key\":3}");
        assertThat(AnthropicEnvelope.scan(b, b.length, Operation.CHAT).model()).isEqualTo("m");
    }

    @Test
    void lowersMaxTokensAboveTheModelsMaximum() {
        String body = "{\"max_tokens\":1000000000,\"model\":\"a\",\"messages\":[{}]}";
        AnthropicEnvelope envelope = scan(body);
        assertThat(envelope.maxTokens()).isEqualTo(1_000_000_000);
        byte[] b = bytes(body);
        assertThat(new String(apply(b, b.length, envelope.rewrite("b", true, 64000)), StandardCharsets.UTF_8))
                .isEqualTo("{\"max_tokens\":64000,\"model\":\"b\",\"messages\":[{}]}");
        assertThat(envelope.rewrite("b", true, 1_000_000_000)).hasSize(1);
        assertThat(envelope.rewrite("b", true, 0)).hasSize(1);
    }

    @Test
    void refusesAMillionMessagesLikeTheDialect() {
        byte[] body = AnthropicDialectTest.manyMessages(1_000_000);
        GatewayError error = catchThrowableOfType(GatewayException.class,
                () -> AnthropicEnvelope.scan(body, body.length, Operation.CHAT)).error();
        assertThat(error.param()).isEqualTo("messages");
        assertThat(error.code()).isEqualTo("too_many_messages");
    }

    @Test
    void refusesUtf16() {
        byte[] body = "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{}]}".getBytes(StandardCharsets.UTF_16BE);
        assertThat(catchThrowableOfType(GatewayException.class, () -> AnthropicEnvelope.scan(body, body.length, Operation.CHAT))
                .error().code()).isEqualTo("invalid_json");
    }

    // ---- generated bodies --------------------------------------------------------------------------------------

    private static final String[] MODELS = {"claude-sonnet", "", "mé", "a\"b", "back\\slash", "😀 emoji", "tab\there", "\u0001ctl"};
    private static final String[] SPACES = {"", " ", "\n", "\t", "\r\n", " \n\t "};

    private static String space(Random random) {
        return SPACES[random.nextInt(SPACES.length)];
    }

    private static String value(Random random, int depth) {
        return switch (depth > 3 ? random.nextInt(5) : random.nextInt(7)) {
            case 0 -> literal("v" + random.nextInt(100), random);
            case 1 -> Integer.toString(random.nextInt(2000) - 1000);
            case 2 -> random.nextDouble() + "e" + (random.nextInt(10) - 5);
            case 3 -> random.nextBoolean() ? "true" : "false";
            case 4 -> "null";
            case 5 -> {
                var items = new ArrayList<String>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    items.add(value(random, depth + 1));
                }
                yield "[" + space(random) + String.join("," + space(random), items) + space(random) + "]";
            }
            default -> {
                var members = new ArrayList<String>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    members.add(literal("k" + i, random) + space(random) + ":" + space(random) + value(random, depth + 1));
                }
                yield "{" + space(random) + String.join("," + space(random), members) + space(random) + "}";
            }
        };
    }

    private static String message(Random random) {
        String content = switch (random.nextInt(3)) {
            case 0 -> literal("text with \"quotes\" and \\ " + random.nextInt(), random);
            case 1 -> "[{\"type\":\"text\",\"text\":" + literal("part", random) + ",\"cache_control\":" + value(random, 3) + "}]";
            default -> "[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":[{\"type\":\"text\",\"text\":"
                    + literal("result", random) + "}]}]";
        };
        return "{\"role\":\"user\"," + space(random) + "\"content\":" + space(random) + content + "}";
    }

    private static String generate(Random random) {
        var members = new ArrayList<String>();
        members.add(literal("model", random) + space(random) + ":" + space(random) + literal(MODELS[random.nextInt(MODELS.length)], random));
        members.add("\"max_tokens\":" + space(random) + (1 + random.nextInt(8192)));
        var messages = new ArrayList<String>();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            messages.add(message(random));
        }
        members.add("\"messages\":" + space(random) + "[" + String.join("," + space(random), messages) + "]");
        if (random.nextBoolean()) {
            members.add("\"stream\"" + space(random) + ":" + space(random) + (random.nextBoolean() ? "true" : random.nextBoolean() ? "false" : "null"));
        }
        if (random.nextBoolean()) {
            members.add("\"system\":" + literal("be brief", random));
        }
        for (int i = random.nextInt(4); i > 0; i--) {
            members.add(literal("extra_" + i, random) + ":" + space(random) + value(random, 0));
        }
        Collections.shuffle(members, random);
        var body = new StringBuilder(space(random)).append('{').append(space(random));
        for (int i = 0; i < members.size(); i++) {
            body.append(i == 0 ? "" : space(random) + "," + space(random)).append(members.get(i));
        }
        return body.append(space(random)).append('}').append(space(random)).toString();
    }

    @Test
    void fiveHundredGeneratedBodiesRewriteToWhatATreeEditWouldGive() throws IOException {
        var random = new Random(20250310);
        for (int i = 0; i < 500; i++) {
            String text = generate(random);
            byte[] body = bytes(text);
            String upstream = MODELS[random.nextInt(MODELS.length)] + "-up";
            AnthropicEnvelope envelope = AnthropicEnvelope.scan(body, body.length, Operation.CHAT);
            ObjectNode expected = (ObjectNode) JSON.readTree(body);
            assertThat(envelope.model()).as(text).isEqualTo(expected.path("model").asText());
            assertThat(envelope.stream()).as(text).isEqualTo(expected.path("stream").asBoolean(false));
            expected.put("model", upstream);
            byte[] out = apply(body, body.length, envelope.rewrite(upstream, random.nextBoolean(), 0));
            assertThat(JSON.readTree(out)).as(text).isEqualTo(expected);
            // Every generated body is valid for the dialect too.
            assertThat(dialect.decodeChat(body).model()).isEqualTo(envelope.model());
        }
    }

    @Test
    void mutatedBodiesOnlyEverFailWithGatewayException() throws IOException {
        var random = new Random(7);
        byte[] interesting = bytes("{}[]\":,\\ 0a-eE.tnu");
        int accepted = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] body = bytes(generate(random));
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                body = mutate(body, random, interesting);
            }
            byte[] input = body;
            try {
                AnthropicEnvelope envelope = AnthropicEnvelope.scan(input, input.length, Operation.CHAT);
                byte[] out = apply(input, input.length, envelope.rewrite("up", true, 0));
                assertThat(JSON.readTree(out).path("model").asText()).isEqualTo("up");
                accepted++;
            } catch (GatewayException expected) {
                assertThat(expected.error().httpStatus()).isEqualTo(400);
            } catch (RuntimeException | Error e) {
                fail("scan threw " + e + " for " + new String(input, StandardCharsets.UTF_8), e);
            }
            try {
                dialect.decodeChat(input);
            } catch (GatewayException expected) {
                assertThat(expected.error().httpStatus()).isEqualTo(400);
            } catch (RuntimeException | Error e) {
                fail("decode threw " + e + " for " + new String(input, StandardCharsets.UTF_8), e);
            }
        }
        // The mutations must leave some bodies valid, or this would only test the error path.
        assertThat(accepted).isGreaterThan(100);
    }
}
