package dev.tollgate.providers.openai;

import static dev.tollgate.providers.ClientBodies.literal;
import static dev.tollgate.providers.ClientBodies.mutate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
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

class OpenAiEnvelopeTest {

    /** Strict: a rewritten body with anything after its object is a failure. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static OpenAiEnvelope scan(String body) {
        byte[] b = bytes(body);
        return OpenAiEnvelope.scan(b, b.length, Operation.CHAT);
    }

    private static String rewritten(String body, String model, boolean force) {
        byte[] b = bytes(body);
        OpenAiEnvelope envelope = OpenAiEnvelope.scan(b, b.length, Operation.CHAT);
        return new String(OpenAiEnvelope.apply(b, b.length, envelope.rewrite(model, force, 0)), StandardCharsets.UTF_8);
    }

    @Test
    void findsTheFieldsInAnyOrderWithWhitespaceAndEscapes() {
        OpenAiEnvelope envelope = scan(" {\n\t\"stream_options\" : { \"include_usage\" :true } ,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"\\\"model\\\": \\\"x\\\"\"}],\r\n"
                + "\"m\\u006fdel\" :\t\"gpt\\u002d4o \\u00e9\\ud83d\\ude00\" , \"stream\" : true } \n");
        assertThat(envelope.model()).isEqualTo("gpt-4o é😀");
        assertThat(envelope.stream()).isTrue();
        assertThat(envelope.clientWantsUsage()).isTrue();
    }

    @Test
    void readsTheEndUserFromUserOrSafetyIdentifier() {
        assertThat(scan("{\"model\":\"m\",\"messages\":[{}],\"user\":\"alice\"}").user()).isEqualTo("alice");
        assertThat(scan("{\"safety_identifier\":\"s-1\",\"model\":\"m\",\"messages\":[{}]}").user())
                .isEqualTo("s-1");
        assertThat(scan("{\"user\":\"a\",\"safety_identifier\":\"b\",\"model\":\"m\",\"messages\":[{}]}").user())
                .isEqualTo("a");
        assertThat(scan("{\"model\":\"m\",\"messages\":[{}],\"user\":{\"id\":1}}").user()).isNull();
        assertThat(scan("{\"model\":\"m\",\"messages\":[{}]}").user()).isNull();
    }

    @Test
    void findsTheModelAfterHugeMessages() {
        String content = "x".repeat(1 << 20);
        var body = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 5; i++) {
            body.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"").append(content).append("\"}");
        }
        body.append("],\"model\":\"late-model\"}");
        OpenAiEnvelope envelope = scan(body.toString());
        assertThat(envelope.model()).isEqualTo("late-model");
        assertThat(envelope.stream()).isFalse();
        assertThat(rewritten(body.toString(), "up", false)).endsWith("],\"model\":\"up\"}");
    }

    @Test
    void rewriteReplacesOnlyTheModelValue() {
        assertThat(rewritten("{\"model\" : \"gpt-4o\", \"messages\":[{}]}", "gpt-4o-2024-08-06", false))
                .isEqualTo("{\"model\" : \"gpt-4o-2024-08-06\", \"messages\":[{}]}");
        assertThat(rewritten("{\"model\":\"a\",\"messages\":[{}]}", "say \"hi\"\\\u0001é", false))
                .isEqualTo("{\"model\":\"say \\\"hi\\\"\\\\\\u0001é\",\"messages\":[{}]}");
    }

    @Test
    void forcingUsageAddsStreamOptionsBeforeTheClosingBrace() {
        assertThat(rewritten("{\"model\":\"a\",\"messages\":[{}],\"stream\":true }", "b", true))
                .isEqualTo("{\"model\":\"b\",\"messages\":[{}],\"stream\":true ,\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void forcingUsageFillsAnEmptyStreamOptionsObject() {
        assertThat(rewritten("{\"stream_options\":{ },\"model\":\"a\",\"messages\":[{}]}", "b", true))
                .isEqualTo("{\"stream_options\":{\"include_usage\":true },\"model\":\"b\",\"messages\":[{}]}");
    }

    @Test
    void forcingUsageKeepsTheClientsOtherStreamOptions() {
        assertThat(rewritten("{\"model\":\"a\",\"messages\":[{}],\"stream_options\":{\"include_obfuscation\":false}}", "b", true))
                .isEqualTo("{\"model\":\"b\",\"messages\":[{}],\"stream_options\":{\"include_usage\":true,\"include_obfuscation\":false}}");
    }

    @Test
    void forcingUsageFlipsAFalseOrNullIncludeUsage() {
        assertThat(rewritten("{\"model\":\"a\",\"messages\":[{}],\"stream_options\":{\"x\":1,\"include_usage\":false}}", "b", true))
                .isEqualTo("{\"model\":\"b\",\"messages\":[{}],\"stream_options\":{\"x\":1,\"include_usage\":true}}");
        assertThat(rewritten("{\"model\":\"a\",\"messages\":[{}],\"stream_options\":{\"include_usage\":null}}", "b", true))
                .isEqualTo("{\"model\":\"b\",\"messages\":[{}],\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void forcingUsageReplacesANullStreamOptions() {
        assertThat(rewritten("{\"model\":\"a\",\"stream_options\": null,\"messages\":[{}]}", "b", true))
                .isEqualTo("{\"model\":\"b\",\"stream_options\": {\"include_usage\":true},\"messages\":[{}]}");
    }

    @Test
    void aClientThatAskedForUsageKeepsItsBody() {
        String body = "{\"model\":\"a\",\"messages\":[{}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        OpenAiEnvelope envelope = scan(body);
        assertThat(envelope.clientWantsUsage()).isTrue();
        assertThat(envelope.rewrite("b", true, 0)).hasSize(1);
        assertThat(rewritten(body, "b", true)).isEqualTo(body.replace("\"a\"", "\"b\""));
    }

    @Test
    void recordsTheStreamOptionsMemberAndTheClosingBrace() {
        String body = "{\"model\":\"a\", \"stream_options\" : {\"include_usage\": false} ,\"messages\":[{}] }";
        OpenAiEnvelope envelope = scan(body);
        assertThat(body.substring(envelope.streamOptionsMember().start(), envelope.streamOptionsMember().end()))
                .isEqualTo("\"stream_options\" : {\"include_usage\": false}");
        assertThat(body.substring(envelope.streamOptionsValue().start(), envelope.streamOptionsValue().end()))
                .isEqualTo("{\"include_usage\": false}");
        assertThat(body.substring(envelope.includeUsageValue().start(), envelope.includeUsageValue().end())).isEqualTo("false");
        assertThat(body.substring(envelope.modelValue().start(), envelope.modelValue().end())).isEqualTo("\"a\"");
        assertThat(body.charAt(envelope.closingBrace())).isEqualTo('}');
        assertThat(envelope.closingBrace()).isEqualTo(body.length() - 1);
        assertThat(envelope.streamOptionsFields()).isEqualTo(1);
    }

    @Test
    void scansOnlyTheGivenLength() {
        byte[] buffer = bytes("{\"model\":\"a\",\"messages\":[{}]}GARBAGE");
        OpenAiEnvelope envelope = OpenAiEnvelope.scan(buffer, buffer.length - 7, Operation.CHAT);
        byte[] out = OpenAiEnvelope.apply(buffer, buffer.length - 7, envelope.rewrite("b", true, 0));
        assertThat(new String(out, StandardCharsets.UTF_8))
                .isEqualTo("{\"model\":\"b\",\"messages\":[{}],\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void embeddingsNeedInputNotMessages() {
        byte[] body = bytes("{\"input\":[\"a\"],\"model\":\"e\"}");
        assertThat(OpenAiEnvelope.scan(body, body.length, Operation.EMBEDDINGS).model()).isEqualTo("e");
        GatewayError error = catchThrowableOfType(GatewayException.class,
                () -> OpenAiEnvelope.scan(bytes("{\"model\":\"e\"}"), 13, Operation.EMBEDDINGS)).error();
        assertThat(error.param()).isEqualTo("input");
        assertThat(error.code()).isEqualTo("missing_required_parameter");
    }

    static Stream<String> badBodies() {
        String ok = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        return Stream.of(
                "{\"model\":", "nope", "", "[]", "\"s\"", "{\"model\":\"m\"," + ok + "} x", "{\"model\":\"m\"," + ok + "}{}",
                "{" + ok + "}", "{\"model\":5," + ok + "}", "{\"model\":\"a\",\"model\":\"b\"," + ok + "}",
                "{\"model\":\"m\"}", "{\"model\":\"m\",\"messages\":[]}", "{\"model\":\"m\",\"messages\":{}}",
                "{\"model\":\"m\",\"messages\":null}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},7]}",
                "{\"model\":\"m\"," + ok + ",\"stream\":\"yes\"}", "{\"model\":\"m\"," + ok + ",\"stream_options\":1}",
                "{\"model\":\"m\"," + ok + ",\"stream_options\":{\"include_usage\":\"y\"}}",
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
                () -> OpenAiEnvelope.scan(b, b.length, Operation.CHAT)).error();
        GatewayError fromDialect = catchThrowableOfType(GatewayException.class,
                () -> new OpenAiDialect().decodeChat(b)).error();
        assertThat(fromEnvelope.httpStatus()).isEqualTo(400);
        assertThat(fromEnvelope.param()).isEqualTo(fromDialect.param());
        assertThat(fromEnvelope.code()).isEqualTo(fromDialect.code());
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
                    () -> OpenAiEnvelope.scan(b, b.length, Operation.CHAT)).error();
            assertThat(error.httpStatus()).isEqualTo(400);
            assertThat(error.param()).isEqualTo(field);
            assertThat(error.code()).isEqualTo("parameter_not_allowed");
        }
    }

    /**
     * Spellings an upstream binds to an override field all the same: a JSON escape (any parser unescapes it), and
     * case variants, which case-insensitive binders (Go's encoding/json, ASP.NET) read as the field, Go's even
     * through the long s and the Kelvin sign.
     */
    @ParameterizedTest
    @ValueSource(strings = {"api\\u005fbase", "API_BASE", "Base_Url", "Api_Key", "EXTRA_HEADERS",
            "AWS_SECRET_ACCESS_KEY", "Vertex_Project", "api_ba\u017fe", "api_\u212aey"})
    void refusesOverridesHoweverSpelled(String field) {
        byte[] b = bytes("{\"model\":\"m\",\"" + field + "\":\"http://169.254.169.254/\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}");
        GatewayError error = catchThrowableOfType(GatewayException.class,
                () -> OpenAiEnvelope.scan(b, b.length, Operation.CHAT)).error();
        assertThat(error.code()).isEqualTo("parameter_not_allowed");
    }

    @Test
    void keepsOrdinaryFieldsThatMerelyLookAlike() {
        byte[] b = bytes("{\"model\":\"m\",\"max_tokens\":5,\"metadata\":{\"api_base\":\"x\"},\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"api_base\"}],\"base\":1,\"aws\":2,\"my_api_key\":3}");
        assertThat(OpenAiEnvelope.scan(b, b.length, Operation.CHAT).model()).isEqualTo("m");
    }

    @Test
    void lowersEveryOutputCapAboveTheModelsMaximum() {
        String body = "{\"model\":\"a\",\"max_tokens\":  1000000000 ,\"messages\":[{}],\"max_completion_tokens\":500}";
        OpenAiEnvelope envelope = scan(body);
        assertThat(envelope.maxTokens()).isEqualTo(500); // max_completion_tokens wins, as upstream
        byte[] b = bytes(body);
        assertThat(new String(OpenAiEnvelope.apply(b, b.length, envelope.rewrite("b", true, 400)), StandardCharsets.UTF_8))
                .isEqualTo("{\"model\":\"b\",\"max_tokens\":  400 ,\"messages\":[{}],\"max_completion_tokens\":400"
                        + ",\"stream_options\":{\"include_usage\":true}}");
        // Only what is above the cap changes; a cap of 0 changes nothing.
        assertThat(envelope.rewrite("b", false, 600)).hasSize(2);
        assertThat(envelope.rewrite("b", false, 0)).hasSize(1);
        assertThat(scan("{\"model\":\"a\",\"max_tokens\":70,\"messages\":[{}]}").maxTokens()).isEqualTo(70);
        // Values the upstream would refuse anyway are nothing to lower.
        for (String bad : List.of("null", "-5", "0", "1.5", "\"9\"", "99999999999")) {
            OpenAiEnvelope odd = scan("{\"model\":\"a\",\"max_tokens\":" + bad + ",\"messages\":[{}]}");
            assertThat(odd.maxTokens()).isZero();
            assertThat(odd.rewrite("b", false, 10)).hasSize(1);
        }
    }

    @Test
    void refusesAMillionMessagesLikeTheDialect() {
        byte[] body = OpenAiDialectTest.manyMessages(1_000_000);
        GatewayError error = catchThrowableOfType(GatewayException.class,
                () -> OpenAiEnvelope.scan(body, body.length, Operation.CHAT)).error();
        assertThat(error.param()).isEqualTo("messages");
        assertThat(error.code()).isEqualTo("too_many_messages");
    }

    @Test
    void refusesUtf16() {
        byte[] body = "{\"model\":\"m\",\"messages\":[{}]}".getBytes(StandardCharsets.UTF_16BE);
        assertThat(catchThrowableOfType(GatewayException.class, () -> OpenAiEnvelope.scan(body, body.length, Operation.CHAT))
                .error().code()).isEqualTo("invalid_json");
    }

    // ---- generated bodies --------------------------------------------------------------------------------------

    private static final String[] MODELS = {"gpt-4o", "", "mé", "a\"b", "back\\slash", "😀 emoji", "tab\there", "\u0001ctl", "x/y:z"};
    private static final String[] SPACES = {"", " ", "  ", "\n", "\t", "\r\n", " \n\t "};

    static String space(Random random) {
        return SPACES[random.nextInt(SPACES.length)];
    }

    static String value(Random random, int depth) {
        int kind = depth > 4 ? random.nextInt(5) : random.nextInt(7);
        return switch (kind) {
            case 0 -> literal(MODELS[random.nextInt(MODELS.length)] + random.nextInt(100), random);
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

    static String message(Random random) {
        String content = random.nextBoolean()
                ? literal("text with \"quotes\" and \\ " + random.nextInt(), random)
                : "[{\"type\":\"text\",\"text\":" + literal("part", random) + "}," + value(random, 3) + "]";
        return "{\"role\":\"user\"," + space(random) + "\"content\":" + space(random) + content + "}";
    }

    static String generate(Random random) {
        var members = new ArrayList<String>();
        members.add(literal("model", random) + space(random) + ":" + space(random) + literal(MODELS[random.nextInt(MODELS.length)], random));
        var messages = new ArrayList<String>();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            messages.add(message(random));
        }
        members.add("\"messages\":" + space(random) + "[" + String.join("," + space(random), messages) + "]");
        if (random.nextBoolean()) {
            members.add("\"stream\"" + space(random) + ":" + space(random) + (random.nextBoolean() ? "true" : random.nextBoolean() ? "false" : "null"));
        }
        switch (random.nextInt(7)) {
            case 0 -> members.add("\"stream_options\":null");
            case 1 -> members.add("\"stream_options\":{" + space(random) + "}");
            case 2 -> members.add("\"stream_options\":{\"include_usage\":" + space(random) + (random.nextBoolean() ? "true" : "false") + "}");
            case 3 -> members.add("\"stream_options\":{\"x\":" + value(random, 3) + ",\"include_usage\":null}");
            case 4 -> members.add("\"stream_options\":{" + literal("include_obfuscation", random) + ":false}");
            default -> { }
        }
        for (int i = random.nextInt(5); i > 0; i--) {
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
        var random = new Random(20240601);
        for (int i = 0; i < 500; i++) {
            String text = generate(random);
            byte[] body = bytes(text);
            String upstream = MODELS[random.nextInt(MODELS.length)] + "-up";
            boolean force = random.nextBoolean();

            OpenAiEnvelope envelope = OpenAiEnvelope.scan(body, body.length, Operation.CHAT);
            ObjectNode expected = (ObjectNode) JSON.readTree(body);
            JsonNode options = expected.get("stream_options");
            boolean wants = options != null && options.path("include_usage").asBoolean(false);
            assertThat(envelope.model()).as(text).isEqualTo(expected.path("model").asText());
            assertThat(envelope.stream()).as(text).isEqualTo(expected.path("stream").asBoolean(false));
            assertThat(envelope.clientWantsUsage()).as(text).isEqualTo(wants);

            List<Splice> splices = envelope.rewrite(upstream, force, 0);
            for (int s = 1; s < splices.size(); s++) {
                assertThat(splices.get(s).start()).isGreaterThanOrEqualTo(splices.get(s - 1).end());
            }
            expected.put("model", upstream);
            if (force && !wants) {
                if (options == null || options.isNull()) {
                    expected.putObject("stream_options").put("include_usage", true);
                } else {
                    ((ObjectNode) options).put("include_usage", true);
                }
            }
            byte[] out = OpenAiEnvelope.apply(body, body.length, splices);
            assertThat(JSON.readTree(out)).as(text).isEqualTo(expected);
        }
    }

    @Test
    void mutatedBodiesOnlyEverFailWithGatewayException() throws IOException {
        var random = new Random(7);
        byte[] interesting = bytes("{}[]\":,\\ 0a-eE.tnu");
        var dialect = new OpenAiDialect();
        int accepted = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] body = bytes(generate(random));
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                body = mutate(body, random, interesting);
            }
            byte[] input = body;
            try {
                OpenAiEnvelope envelope = OpenAiEnvelope.scan(input, input.length, Operation.CHAT);
                byte[] out = OpenAiEnvelope.apply(input, input.length, envelope.rewrite("up", true, 0));
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
