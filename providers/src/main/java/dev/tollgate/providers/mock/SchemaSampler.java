package dev.tollgate.providers.mock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.RawJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Map;
import java.util.UUID;

/**
 * Builds a JSON object that satisfies an object schema, deterministically: tool-call arguments for a function's
 * parameters, or a structured answer for a {@code json_schema} response format. Every declared property (required
 * and optional) and no other, unless a required one is undeclared (then it follows {@code additionalProperties});
 * {@code enum} and {@code const} honoured; numbers inside their bounds (an integer drawn from the seed between both
 * bounds when it has two); one item per array; local {@code $ref}s followed. Good enough for clients to exercise
 * their tool-handling and parsing code. Stateless.
 */
final class SchemaSampler {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Bounds minLength, which comes from the client: a schema may not make the mock build huge strings. */
    private static final int MAX_STRING = 256;
    /** Recursive schemas ({@code $ref} to an ancestor) stop here. */
    private static final int MAX_DEPTH = 12;
    /** A long's 64 bits read as an unsigned number. */
    private static final BigInteger UNSIGNED_LONG = BigInteger.ONE.shiftLeft(Long.SIZE).subtract(BigInteger.ONE);

    private SchemaSampler() {}

    /** The object as JSON text; {@code {}} when the schema is not a readable object schema. */
    static String sample(RawJson schema, long seed) {
        try {
            JsonNode root = MAPPER.readTree(schema.json());
            JsonNode value = root != null && root.isObject() ? value(root, root, "value", seed, 0) : null;
            return MAPPER.writeValueAsString(value != null && value.isObject() ? value : NODES.objectNode());
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }

    private static JsonNode value(JsonNode schema, JsonNode root, String name, long seed, int depth) {
        if (depth > MAX_DEPTH || !schema.isObject()) {
            return NODES.nullNode();
        }
        if (schema.has("const")) {
            return schema.get("const");
        }
        JsonNode choices = schema.get("enum");
        if (choices != null && choices.isArray() && !choices.isEmpty()) {
            return choices.get(0);
        }
        JsonNode ref = schema.get("$ref");
        // Only a JSON pointer into this document ("#", "#/$defs/x") is followed: an anchor or another document's
        // schema cannot be resolved here, and the keywords beside the reference still describe the value.
        if (ref != null && ref.isTextual() && (ref.textValue().equals("#") || ref.textValue().startsWith("#/"))) {
            return value(root.at(ref.textValue().substring(1)), root, name, seed, depth + 1);
        }
        for (String keyword : new String[] {"anyOf", "oneOf", "allOf"}) {
            JsonNode alternatives = schema.get(keyword);
            if (alternatives != null && alternatives.isArray() && !alternatives.isEmpty()) {
                return alternative(keyword, alternatives, root, name, seed, depth);
            }
        }
        return switch (type(schema)) {
            case "object" -> object(schema, root, seed, depth);
            case "array" -> array(schema, root, name, seed, depth);
            case "integer" -> NODES.numberNode(integer(schema, seed));
            case "number" -> NODES.numberNode(number(schema, 1.5));
            case "boolean" -> NODES.booleanNode(true);
            case "null" -> NODES.nullNode();
            default -> NODES.textNode(string(schema, name, seed));
        };
    }

    /** The first alternative of anyOf/oneOf that is not the null type; allOf's parts merged when they are objects. */
    private static JsonNode alternative(String keyword, JsonNode alternatives, JsonNode root, String name, long seed, int depth) {
        if (keyword.equals("allOf")) {
            ObjectNode merged = NODES.objectNode();
            for (JsonNode part : alternatives) {
                JsonNode value = value(part, root, name, seed, depth + 1);
                if (!value.isObject()) {
                    return value;
                }
                merged.setAll((ObjectNode) value);
            }
            return merged;
        }
        for (JsonNode alternative : alternatives) {
            if (!"null".equals(alternative.path("type").textValue())) {
                return value(alternative, root, name, seed, depth + 1);
            }
        }
        return NODES.nullNode();
    }

    /** The declared type (the first non-null one of a list), inferred from the keywords when absent. */
    private static String type(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual()) {
            return type.textValue();
        }
        if (type != null && type.isArray()) {
            for (JsonNode t : type) {
                if (t.isTextual() && !t.textValue().equals("null")) {
                    return t.textValue();
                }
            }
            return "null";
        }
        if (schema.has("properties")) {
            return "object";
        }
        return schema.has("items") ? "array" : "string";
    }

    private static ObjectNode object(JsonNode schema, JsonNode root, long seed, int depth) {
        ObjectNode out = NODES.objectNode();
        JsonNode properties = schema.path("properties");
        for (Map.Entry<String, JsonNode> field : properties.properties()) {
            out.set(field.getKey(), value(field.getValue(), root, field.getKey(), MockHash.mix(seed ^ MockHash.of(field.getKey())), depth + 1));
        }
        // A property that is required but not described still has to be there, as additionalProperties says.
        JsonNode additional = schema.path("additionalProperties");
        for (JsonNode required : schema.path("required")) {
            String name = required.textValue();
            if (required.isTextual() && !out.has(name)) {
                out.set(name, additional.isObject() ? value(additional, root, name, MockHash.mix(seed ^ MockHash.of(name)), depth + 1)
                        : NODES.textNode(string(NODES.objectNode(), name, seed)));
            }
        }
        return out;
    }

    private static ArrayNode array(JsonNode schema, JsonNode root, String name, long seed, int depth) {
        ArrayNode out = NODES.arrayNode();
        JsonNode items = schema.path("items");
        int count = Math.max(1, Math.min(3, schema.path("minItems").asInt(1)));
        for (int i = 0; i < count; i++) {
            out.add(items.isObject() ? value(items, root, name, MockHash.nth(seed, i), depth + 1) : NODES.textNode(string(schema, name, seed)));
        }
        return out;
    }

    /**
     * A whole number inside the bounds: drawn from {@code seed} when there is a lower and an upper one, else the
     * lower bound, else 1 capped by the upper bound. In whole-number arithmetic, so that no bound is rounded (a
     * double holds no 2^53 + 1) and none overflows (one past a bound beyond a long's range).
     */
    private static BigInteger integer(JsonNode schema, long seed) {
        BigInteger low = tighter(bound(schema, "minimum", RoundingMode.CEILING, BigInteger.ZERO),
                bound(schema, "exclusiveMinimum", RoundingMode.FLOOR, BigInteger.ONE), true);
        BigInteger high = tighter(bound(schema, "maximum", RoundingMode.FLOOR, BigInteger.ZERO),
                bound(schema, "exclusiveMaximum", RoundingMode.CEILING, BigInteger.ONE.negate()), false);
        if (low != null && high != null && low.compareTo(high) <= 0) {
            BigInteger span = high.subtract(low).add(BigInteger.ONE);
            return low.add(BigInteger.valueOf(MockHash.nth(seed, 0)).and(UNSIGNED_LONG).mod(span));
        }
        if (low != null) {
            return low;
        }
        return high != null ? high.min(BigInteger.ONE) : BigInteger.ONE;
    }

    /**
     * The whole-number bound {@code keyword} sets: its value rounded the way that stays inside it, then moved by
     * {@code step} (one inward for an exclusive bound); null when it is absent or no finite number.
     */
    private static BigInteger bound(JsonNode schema, String keyword, RoundingMode rounding, BigInteger step) {
        BigDecimal value = finite(schema.get(keyword));
        return value == null ? null : value.setScale(0, rounding).toBigIntegerExact().add(step);
    }

    /** The bound of the two that allows less: the greater lower one, or the smaller upper one. */
    private static BigInteger tighter(BigInteger a, BigInteger b, boolean lower) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return lower ? a.max(b) : a.min(b);
    }

    /** The node's exact value; null when it is no number, or a floating one that overflowed to infinity. */
    private static BigDecimal finite(JsonNode node) {
        if (node == null || !node.isNumber() || (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue()))) {
            return null;
        }
        return node.decimalValue();
    }

    /**
     * The minimum, else one past the exclusive minimum, else {@code preferred}; then brought inside every bound, an
     * exclusive one by the nearest double within it.
     */
    private static double number(JsonNode schema, double preferred) {
        double min = limit(schema, "minimum", Double.NEGATIVE_INFINITY);
        double exclusiveMin = limit(schema, "exclusiveMinimum", Double.NEGATIVE_INFINITY);
        double low = Math.max(min, Math.nextUp(exclusiveMin));
        double high = Math.min(limit(schema, "maximum", Double.POSITIVE_INFINITY),
                Math.nextDown(limit(schema, "exclusiveMaximum", Double.POSITIVE_INFINITY)));
        double value = schema.has("minimum") && Double.isFinite(min) ? min
                : Double.isFinite(exclusiveMin) ? exclusiveMin + 1 : preferred;
        return Math.min(Math.max(value, low), high);
    }

    /** The bound {@code keyword} sets as a double; {@code absent} when it sets none. */
    private static double limit(JsonNode schema, String keyword, double absent) {
        JsonNode node = schema.get(keyword);
        return node != null && node.isNumber() ? node.asDouble() : absent;
    }

    private static String string(JsonNode schema, String name, long seed) {
        String format = schema.path("format").asText("");
        String text = switch (format) {
            case "date" -> "2024-01-01";
            case "date-time" -> "2024-01-01T00:00:00Z";
            case "time" -> "00:00:00";
            case "email" -> "mock@example.com";
            case "uri", "url" -> "https://example.com/mock";
            case "uuid" -> new UUID(MockHash.nth(seed, 0), MockHash.nth(seed, 1)).toString();
            default -> name + "-" + MockText.word(seed);
        };
        int minLength = Math.min(MAX_STRING, schema.path("minLength").asInt(0));
        int maxLength = schema.path("maxLength").asInt(Integer.MAX_VALUE);
        var out = new StringBuilder(text);
        while (out.length() < minLength) {
            out.append('x');
        }
        return out.length() > maxLength ? out.substring(0, Math.max(0, maxLength)) : out.toString();
    }
}
