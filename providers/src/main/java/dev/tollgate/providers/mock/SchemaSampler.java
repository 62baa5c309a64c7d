package dev.tollgate.providers.mock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.RawJson;
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
        if (ref != null && ref.isTextual() && ref.textValue().startsWith("#")) {
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
     * lower bound, else 1 capped by the upper bound.
     */
    private static long integer(JsonNode schema, long seed) {
        Long low = bound(schema, "minimum", "exclusiveMinimum", true);
        Long high = bound(schema, "maximum", "exclusiveMaximum", false);
        if (low != null && high != null && low <= high) {
            long span = high - low + 1;
            // A span beyond a long's range overflows to zero or less: the lower bound is in range all the same.
            return span <= 0 ? low : low + Long.remainderUnsigned(MockHash.nth(seed, 0), span);
        }
        if (low != null) {
            return low;
        }
        return high != null ? Math.min(1, high) : 1;
    }

    /** The inclusive whole-number bound {@code inclusive} or {@code exclusive} sets, lower or upper; null when neither does. */
    private static Long bound(JsonNode schema, String inclusive, String exclusive, boolean lower) {
        JsonNode in = schema.get(inclusive);
        if (in != null && in.isNumber()) {
            return (long) (lower ? Math.ceil(in.asDouble()) : Math.floor(in.asDouble()));
        }
        JsonNode ex = schema.get(exclusive);
        if (ex != null && ex.isNumber()) {
            return lower ? (long) Math.floor(ex.asDouble()) + 1 : (long) Math.ceil(ex.asDouble()) - 1;
        }
        return null;
    }

    /** The smallest allowed value at or above {@code preferred}'s bounds: minimum, else {@code preferred} capped by maximum. */
    private static double number(JsonNode schema, double preferred) {
        JsonNode min = schema.get("minimum");
        JsonNode exclusiveMin = schema.get("exclusiveMinimum");
        JsonNode max = schema.get("maximum");
        double value = preferred;
        if (min != null && min.isNumber()) {
            value = min.asDouble();
        } else if (exclusiveMin != null && exclusiveMin.isNumber()) {
            value = exclusiveMin.asDouble() + 1;
        } else if (max != null && max.isNumber() && max.asDouble() < value) {
            value = max.asDouble();
        }
        return value;
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
