package dev.tollgate.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CacheKeyTest {
    private static final Sampling ZERO = new Sampling(0.0, null, 100, List.of(), null, null, null, null);

    private static ChatRequest request(List<Message> messages, Sampling sampling, List<Tool> tools,
                                       ToolChoice choice, ResponseFormat format, Map<String, RawJson> extensions) {
        return new ChatRequest("m", messages, sampling, tools, choice, format, false, false, null, extensions,
                "openai");
    }

    private static final ChatRequest BASE = request(
            List.of(Message.text(Role.SYSTEM, "be brief"), Message.text(Role.USER, "hi")), ZERO,
            List.of(new Tool("lookup", "finds", new RawJson("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}"))),
            new ToolChoice.Auto(), null, Map.of("logprobs", new RawJson("true")));

    private static String key(ChatRequest r) {
        return CacheKey.of("team:a", "m", r).digest();
    }

    @Test
    void ignoresDeliveryUserDialectAndFieldOrder() {
        ChatRequest other = new ChatRequest("other-spelling", BASE.messages(), BASE.sampling(),
                List.of(new Tool("lookup", "finds",
                        new RawJson("{ \"properties\" : {\"q\": {\"type\": \"string\"}},\n \"type\": \"object\" }"))),
                BASE.toolChoice(), null, true, true, "someone",
                Map.of("logprobs", new RawJson(" true "), "stream_options", new RawJson("{\"include_usage\":true}"),
                        "metadata", new RawJson("{\"a\":1}"), "service_tier", new RawJson("\"flex\""),
                        "store", new RawJson("false"), "safety_identifier", new RawJson("\"u\"")),
                "anthropic");
        // The model name in the key is the group's, passed apart: the body's spelling of it does not count.
        assertThat(key(other)).isEqualTo(key(BASE));
    }

    static Stream<UnaryOperator<ChatRequest>> relevantChanges() {
        return Stream.of(
                r -> request(List.of(Message.text(Role.USER, "hi")), r.sampling(), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(List.of(Message.text(Role.SYSTEM, "be brief"), Message.text(Role.USER, "hi!")), r.sampling(), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(List.of(Message.text(Role.SYSTEM, "be brief"), Message.text(Role.ASSISTANT, "hi")), r.sampling(), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(List.of(Message.text(Role.SYSTEM, "be brief"), new Message(Role.USER, List.of(new Part.Text("hi")), "ann")), r.sampling(), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(List.of(Message.text(Role.SYSTEM, "be brief"), new Message(Role.ASSISTANT, List.of(new Part.ToolCall("c1", "lookup", "{\"q\":1}")), null)), r.sampling(), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(List.of(Message.text(Role.SYSTEM, "be brief"), new Message(Role.TOOL, List.of(new Part.ToolResult("c1", "hi")), null)), r.sampling(), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(List.of(Message.text(Role.SYSTEM, "be brief"), new Message(Role.USER, List.of(new Part.Image("https://x/a.png", null)), null)), r.sampling(), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), new Sampling(0.0, 0.5, 100, List.of(), null, null, null, null), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), new Sampling(0.0, null, 101, List.of(), null, null, null, null), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), new Sampling(0.0, null, 100, List.of("END"), null, null, null, null), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), new Sampling(0.0, null, 100, List.of(), 7L, null, null, null), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), new Sampling(0.0, null, 100, List.of(), null, 0.1, null, null), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), new Sampling(0.0, null, 100, List.of(), null, null, 0.1, null), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), new Sampling(0.0, null, 100, List.of(), null, null, null, 1), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), new Sampling(0.2, null, 100, List.of(), null, null, null, null), r.tools(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), r.sampling(), List.of(), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), r.sampling(), List.of(new Tool("lookup", "finds things", r.tools().get(0).parameters())), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), r.sampling(), List.of(new Tool("lookup", "finds", new RawJson("{\"type\":\"object\"}"))), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), r.sampling(), r.tools(), new ToolChoice.Required(), null, r.extensions()),
                r -> request(r.messages(), r.sampling(), r.tools(), new ToolChoice.Named("lookup"), null, r.extensions()),
                r -> request(r.messages(), r.sampling(), r.tools(), null, null, r.extensions()),
                r -> request(r.messages(), r.sampling(), r.tools(), r.toolChoice(), new ResponseFormat.JsonObject(), r.extensions()),
                r -> request(r.messages(), r.sampling(), r.tools(), r.toolChoice(), new ResponseFormat.JsonSchema("s", new RawJson("{}"), true), r.extensions()),
                r -> request(r.messages(), r.sampling(), r.tools(), r.toolChoice(), new ResponseFormat.JsonSchema("s", "a city", new RawJson("{}"), true), r.extensions()),
                r -> request(r.messages(), r.sampling(), List.of(new Tool("lookup", "finds", r.tools().get(0).parameters(), true)), r.toolChoice(), null, r.extensions()),
                r -> request(r.messages(), r.sampling(), r.tools(), r.toolChoice(), null, Map.of()),
                r -> request(r.messages(), r.sampling(), r.tools(), r.toolChoice(), null, Map.of("logprobs", new RawJson("true"), "top_logprobs", new RawJson("2"))),
                // numbers stay as written: 1 and 1.0 may mean different things to a provider
                r -> request(r.messages(), r.sampling(), List.of(new Tool("lookup", "finds", new RawJson("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\",\"max\":1.0}}}"))), r.toolChoice(), null, r.extensions()));
    }

    @ParameterizedTest
    @MethodSource("relevantChanges")
    void everyRelevantFieldChangesTheKey(UnaryOperator<ChatRequest> change) {
        assertThat(key(change.apply(BASE))).isNotEqualTo(key(BASE));
    }

    @Test
    void scopeAndModelChangeTheKey() {
        assertThat(CacheKey.of("team:b", "m", BASE).digest()).isNotEqualTo(key(BASE));
        assertThat(CacheKey.of("team:a", "m2", BASE).digest()).isNotEqualTo(key(BASE));
    }

    @Test
    void valuesCannotRunIntoEachOther() {
        var ab = request(List.of(Message.text(Role.USER, "ab"), Message.text(Role.USER, "c")), ZERO, List.of(), null, null, Map.of());
        var a = request(List.of(Message.text(Role.USER, "a"), Message.text(Role.USER, "bc")), ZERO, List.of(), null, null, Map.of());
        assertThat(key(ab)).isNotEqualTo(key(a));
    }

    /**
     * Random requests, each respelled (JSON members shuffled, whitespace added, extensions in another map order):
     * the key never changes. And a random relevant edit always does.
     */
    @Test
    void randomRequestsKeepTheirKeyUnderRespelling() {
        var random = new Random(42);
        for (int i = 0; i < 500; i++) {
            var json = randomObject(random, 3);
            var extensions = new HashMap<String, RawJson>();
            for (int e = random.nextInt(4); e > 0; e--) {
                extensions.put("x_" + random.nextInt(1000), new RawJson(spell(randomObject(random, 2), random)));
            }
            var messages = new ArrayList<Message>();
            for (int m = 1 + random.nextInt(4); m > 0; m--) {
                messages.add(Message.text(Role.values()[random.nextInt(Role.values().length)], "t" + random.nextInt(50)));
            }
            var r1 = request(messages, ZERO, List.of(new Tool("f", null, new RawJson(spell(json, random)))), null, null, extensions);
            var respelled = new HashMap<String, RawJson>();
            extensions.forEach((k, v) -> respelled.put(k, new RawJson(" " + v.json() + "\n")));
            var r2 = request(messages, ZERO, List.of(new Tool("f", null, new RawJson(spell(json, random)))), null, null, respelled);
            assertThat(key(r2)).as(r1.tools().get(0).parameters().json()).isEqualTo(key(r1));
            var edited = new ArrayList<>(messages);
            edited.set(random.nextInt(edited.size()), Message.text(Role.USER, "edited" + i));
            assertThat(key(request(edited, ZERO, r1.tools(), null, null, extensions))).isNotEqualTo(key(r1));
        }
    }

    /** A JSON value as nested maps, lists and scalar spellings. */
    private static Object randomObject(Random random, int depth) {
        var map = new HashMap<String, Object>();
        for (int i = random.nextInt(4); i >= 0; i--) {
            map.put("k" + random.nextInt(20), depth == 0 || random.nextBoolean() ? scalar(random)
                    : random.nextBoolean() ? randomObject(random, depth - 1) : List.of(scalar(random), randomObject(random, depth - 1)));
        }
        return map;
    }

    private static String scalar(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> Integer.toString(random.nextInt(100));
            case 1 -> "\"s\\u00e9 \\\"q\\\" " + random.nextInt(9) + "\"";
            case 2 -> "true";
            case 3 -> "null";
            default -> "-1.5e3";
        };
    }

    /** One spelling of a value: members in a random order, random whitespace between tokens. */
    @SuppressWarnings("unchecked")
    private static String spell(Object value, Random random) {
        String ws = List.of("", " ", "\n  ", "\t").get(random.nextInt(4));
        if (value instanceof Map<?, ?> map) {
            var keys = new ArrayList<>((java.util.Set<String>) map.keySet());
            java.util.Collections.shuffle(keys, random);
            var out = new StringBuilder("{" + ws);
            for (int i = 0; i < keys.size(); i++) {
                out.append(i == 0 ? "" : "," + ws).append('"').append(keys.get(i)).append('"').append(ws).append(':')
                        .append(ws).append(spell(map.get(keys.get(i)), random));
            }
            return out.append(ws).append('}').toString();
        }
        if (value instanceof List<?> list) {
            var out = new StringBuilder("[" + ws);
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : "," + ws).append(spell(list.get(i), random));
            }
            return out.append(']').toString();
        }
        return (String) value;
    }

    @Test
    void canonicalJsonSortsMembersAndDropsWhitespace() {
        assertThat(CanonicalJson.of(" { \"b\" : [1, 2.50, {\"d\":null, \"c\":\"\\u0041\\n\"}], \"a\": true } "))
                .isEqualTo("{\"a\":true,\"b\":[1,2.50,{\"c\":\"A\\n\",\"d\":null}]}");
        assertThat(CanonicalJson.of("{\"a\":")).isEqualTo("{\"a\":"); // malformed: kept as written
    }
}
