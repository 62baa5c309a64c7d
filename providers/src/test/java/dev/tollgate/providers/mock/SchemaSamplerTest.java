package dev.tollgate.providers.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.RawJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Documents sampled from client schemas: inside every bound, the same for the same seed, and never an exception. */
class SchemaSamplerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode sample(String schema, long seed) throws IOException {
        return JSON.readTree(SchemaSampler.sample(new RawJson(schema), seed));
    }

    /** The value of property {@code v} sampled from {@code property}'s schema. */
    private static JsonNode value(String property, long seed) throws IOException {
        return sample("{\"type\":\"object\",\"properties\":{\"v\":" + property + "}}", seed).get("v");
    }

    @Test
    void anInclusiveAndAnExclusiveBoundTogetherBothHold() throws IOException {
        for (long seed = 0; seed < 50; seed++) {
            assertThat(value("{\"type\":\"integer\",\"minimum\":1,\"exclusiveMinimum\":3,\"maximum\":6}", seed)
                    .asInt()).isBetween(4, 6);
            assertThat(value("{\"type\":\"integer\",\"minimum\":0,\"exclusiveMaximum\":4,\"maximum\":10}", seed)
                    .asInt()).isBetween(0, 3);
            assertThat(value("{\"type\":\"number\",\"minimum\":1,\"exclusiveMinimum\":3}", seed).asDouble())
                    .isGreaterThan(3);
            assertThat(value("{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":0.5}", seed).asDouble())
                    .isGreaterThan(0).isLessThanOrEqualTo(0.5);
            assertThat(value("{\"type\":\"number\",\"exclusiveMaximum\":1}", seed).asDouble()).isLessThan(1);
        }
    }

    @Test
    void wholeNumberBoundsAreNeitherRoundedNorOverflowed() throws IOException {
        // 2^53 + 1 is no double: read as one, the bound moves below itself.
        assertThat(value("{\"type\":\"integer\",\"minimum\":9007199254740993}", 1).bigIntegerValue())
                .isEqualTo(new BigInteger("9007199254740993"));
        assertThat(value("{\"type\":\"integer\",\"minimum\":9007199254740993,\"maximum\":9007199254740993}", 1)
                .bigIntegerValue()).isEqualTo(new BigInteger("9007199254740993"));
        // One past a bound beyond a long's range is no long either.
        assertThat(value("{\"type\":\"integer\",\"exclusiveMinimum\":1e19}", 1).bigIntegerValue())
                .isGreaterThan(new BigDecimal("1e19").toBigInteger());
        assertThat(value("{\"type\":\"integer\",\"exclusiveMaximum\":-1e19}", 1).bigIntegerValue())
                .isLessThan(new BigDecimal("-1e19").toBigInteger());
        for (long seed = 0; seed < 50; seed++) {
            BigInteger wide = value("{\"type\":\"integer\",\"minimum\":-1e30,\"maximum\":1e30}", seed)
                    .bigIntegerValue();
            assertThat(wide.abs()).isLessThanOrEqualTo(new BigDecimal("1e30").toBigInteger());
        }
    }

    @Test
    void referencesThatAreNoLocalPointerAreNotFollowedAndThrowNothing() throws IOException {
        String schema = """
                {"type":"object","$defs":{"n":{"type":"integer","minimum":3,"maximum":3}},
                 "properties":{"anchor":{"$ref":"#n","type":"integer","minimum":8,"maximum":8},
                               "remote":{"$ref":"https://example.com/s.json","type":"boolean"},
                               "missing":{"$ref":"#/$defs/none"},
                               "local":{"$ref":"#/$defs/n"}}}""";
        JsonNode doc = sample(schema, 7);
        assertThat(doc.get("anchor").asInt()).isEqualTo(8);
        assertThat(doc.get("remote").asBoolean()).isTrue();
        assertThat(doc.get("missing").isNull()).isTrue();
        assertThat(doc.get("local").asInt()).isEqualTo(3);
    }

    @Test
    void nestedAndRecursiveSchemasSampleTheSameForTheSameSeed() throws IOException {
        String schema = """
                {"type":"object","$defs":{"node":{"type":"object","properties":{
                   "id":{"type":"integer","minimum":1,"maximum":1000},
                   "children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["id"]}},
                 "properties":{"root":{"$ref":"#/$defs/node"},"tags":{"type":"array","minItems":50,
                   "items":{"type":"string","minLength":100000}}}}""";
        JsonNode first = sample(schema, 42);
        assertThat(sample(schema, 42)).isEqualTo(first);
        assertThat(sample(schema, 43)).isNotEqualTo(first);
        assertThat(first.at("/root/id").asInt()).isBetween(1, 1000);
        assertThat(first.get("tags")).hasSizeLessThanOrEqualTo(3);
        first.get("tags").forEach(tag -> assertThat(tag.asText()).hasSizeLessThanOrEqualTo(256));
    }

    /** Random schemas built from the keywords the sampler reads: it always answers an object, and throws nothing. */
    @Test
    void randomSchemasNeverThrow() {
        var random = new Random(3);
        String[] pieces = {"{", "}", "[", "]", ",", ":", "\"type\"", "\"integer\"", "\"number\"", "\"object\"",
            "\"array\"", "\"minimum\"", "\"exclusiveMinimum\"", "\"maximum\"", "\"exclusiveMaximum\"", "\"$ref\"",
            "\"#\"", "\"#x\"", "\"#/properties\"", "\"properties\"", "\"items\"", "\"required\"", "\"enum\"",
            "\"anyOf\"", "\"allOf\"", "1e400", "-1e19", "0.5", "3", "null", "true", "\"a\"", "\"minLength\"",
            "\"additionalProperties\""};
        for (int i = 0; i < 5_000; i++) {
            var text = new StringBuilder("{\"type\":\"object\",\"properties\":{\"v\":{");
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String schema = text.toString();
            String document = SchemaSampler.sample(new RawJson(schema), i);
            assertThat(document).as(schema).startsWith("{");
        }
    }
}
