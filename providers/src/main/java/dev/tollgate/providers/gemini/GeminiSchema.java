package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Converts a JSON Schema (what OpenAI and Anthropic clients send for tool parameters and structured output) into the
 * OpenAPI 3.0 subset Gemini's {@code Schema} accepts. Gemini refuses unknown keywords, so the rule is an allowlist:
 * <ul>
 *   <li>kept: {@code type}, {@code description}, {@code nullable}, {@code enum}, {@code items}, {@code properties},
 *       {@code required}, {@code anyOf}, {@code propertyOrdering}, {@code minItems}, {@code maxItems},
 *       {@code minProperties}, {@code maxProperties}, {@code minLength}, {@code maxLength}, {@code pattern},
 *       {@code minimum}, {@code maximum}; everything else ({@code $schema}, {@code additionalProperties},
 *       {@code title}, {@code default}, {@code examples}, {@code exclusiveMinimum}, ...) is dropped;</li>
 *   <li>{@code type} is upper-cased; a list of types becomes the one non-null type plus {@code nullable: true}, or an
 *       {@code anyOf} of one branch per type; a missing type is {@code OBJECT} beside {@code properties},
 *       {@code ARRAY} beside {@code items}, {@code STRING} beside a string {@code enum};</li>
 *   <li>{@code format} is kept only where Gemini knows it ({@code enum}, {@code date-time} on strings; {@code int32},
 *       {@code int64} on integers; {@code float}, {@code double} on numbers);</li>
 *   <li>{@code enum} is kept only when every value is a string (Gemini enums are string enums); a string
 *       {@code const} becomes a one-value enum;</li>
 *   <li>{@code oneOf} becomes {@code anyOf}; a {@code null} branch of either becomes {@code nullable: true}, and a
 *       single branch left is merged into its parent; an {@code allOf} of one schema is merged into its parent (what
 *       schema generators emit to attach a description to a reference); a longer {@code allOf} is refused;</li>
 *   <li>local references ({@code #/$defs/X}, {@code #/definitions/X}) are inlined, with a {@code description} beside
 *       the reference kept (other keywords beside it are dropped); a reference met again while it is
 *       being inlined (a recursive schema) becomes an unconstrained {@code OBJECT}; other references are refused;</li>
 *   <li>{@code required} keeps only names that are in {@code properties}.</li>
 * </ul>
 * Refusals are 400s naming the field. One instance per conversion; not thread-safe.
 */
final class GeminiSchema {

    /** Schema nodes one conversion may produce: bounds the blow-up of inlining a definition used many times. */
    static final int MAX_NODES = 10_000;

    /** The scalar keywords copied as they are, with the JSON type each must have to be copied. */
    private static final Map<String, JsonNodeType> COPIED = Map.ofEntries(
            Map.entry("description", JsonNodeType.STRING),
            Map.entry("pattern", JsonNodeType.STRING),
            Map.entry("nullable", JsonNodeType.BOOLEAN),
            Map.entry("propertyOrdering", JsonNodeType.ARRAY),
            Map.entry("minItems", JsonNodeType.NUMBER),
            Map.entry("maxItems", JsonNodeType.NUMBER),
            Map.entry("minProperties", JsonNodeType.NUMBER),
            Map.entry("maxProperties", JsonNodeType.NUMBER),
            Map.entry("minLength", JsonNodeType.NUMBER),
            Map.entry("maxLength", JsonNodeType.NUMBER),
            Map.entry("minimum", JsonNodeType.NUMBER),
            Map.entry("maximum", JsonNodeType.NUMBER));

    private static final Map<String, Set<String>> FORMATS = Map.of(
            "STRING", Set.of("enum", "date-time"),
            "INTEGER", Set.of("int32", "int64"),
            "NUMBER", Set.of("float", "double"));

    private final JsonNode root;
    private final String param;
    private final Deque<String> expanding = new ArrayDeque<>();
    private int nodes;

    private GeminiSchema(JsonNode root, String param) {
        this.root = root;
        this.param = param;
    }

    /** The Gemini form of {@code schema}; {@code param} names the request field in errors. */
    static ObjectNode convert(RawJson schema, String param) {
        JsonNode root = GeminiJson.treeOrNull(schema.json());
        if (root == null || !root.isObject()) {
            throw new GatewayException(GatewayError.invalid(param, "invalid_schema", "'" + param + "' must be a JSON Schema object."));
        }
        return new GeminiSchema(root, param).node(root);
    }

    /**
     * Tool parameters in Gemini form, or null when the function takes no arguments: Gemini refuses an
     * {@code OBJECT} without properties ("properties: should be non-empty"), and leaving the field out means the same.
     */
    static ObjectNode parameters(RawJson schema, String param) {
        ObjectNode converted = convert(schema, param);
        boolean object = "OBJECT".equals(converted.path("type").textValue());
        return object && converted.path("properties").isEmpty() && !converted.has("anyOf") ? null : converted;
    }

    private ObjectNode node(JsonNode schema) {
        if (++nodes > MAX_NODES) {
            throw refused("the schema is larger than " + MAX_NODES + " nodes once its references are inlined");
        }
        if (schema.isBoolean()) {
            // true admits anything; false admits nothing, which no tool or answer can use.
            if (!schema.booleanValue()) {
                throw refused("a 'false' schema admits no value");
            }
            return GeminiJson.MAPPER.createObjectNode();
        }
        if (!schema.isObject()) {
            throw refused("a schema must be an object");
        }
        JsonNode ref = schema.get("$ref");
        if (ref != null) {
            ObjectNode inlined = reference(ref);
            // JSON Schema 2020-12 lets a description sit beside a reference; it describes this use of it.
            if (schema.path("description").isTextual()) {
                inlined.put("description", schema.get("description").textValue());
            }
            return inlined;
        }
        ObjectNode out = merged(schema.get("allOf"));
        type(schema.get("type"), out);
        // In the schema's own order, so the same schema always gives the same bytes.
        schema.properties().forEach(field -> {
            JsonNodeType kind = COPIED.get(field.getKey());
            if (kind != null && field.getValue().getNodeType() == kind) {
                out.set(field.getKey(), field.getValue().deepCopy());
            }
        });
        enumeration(schema, out);
        JsonNode properties = schema.get("properties");
        if (properties != null && properties.isObject()) {
            ObjectNode converted = out.putObject("properties");
            properties.properties().forEach(p -> converted.set(p.getKey(), node(p.getValue())));
            required(schema.get("required"), converted, out);
        }
        JsonNode items = schema.get("items");
        if (items != null && (items.isObject() || items.isBoolean())) {
            out.set("items", node(items));
        }
        alternatives(schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf"), out);
        inferType(out);
        format(schema.get("format"), out);
        return out;
    }

    /** A fresh node holding the one schema of an {@code allOf}, which the parent's own keywords then override. */
    private ObjectNode merged(JsonNode allOf) {
        if (allOf == null) {
            return GeminiJson.MAPPER.createObjectNode();
        }
        if (!allOf.isArray() || allOf.size() != 1) {
            throw refused("'allOf' with more than one schema has no Gemini equivalent");
        }
        return node(allOf.get(0));
    }

    private ObjectNode reference(JsonNode ref) {
        String pointer = ref.textValue();
        if (pointer == null || !pointer.startsWith("#/")) {
            throw refused("only local references ('#/$defs/...') are supported, not " + ref);
        }
        if (expanding.contains(pointer)) {
            ObjectNode cut = GeminiJson.MAPPER.createObjectNode();
            cut.put("type", "OBJECT");
            return cut;
        }
        JsonNode target = root.at(pointer.substring(1));
        if (target.isMissingNode()) {
            throw refused("the reference " + pointer + " points nowhere");
        }
        expanding.push(pointer);
        ObjectNode inlined = node(target);
        expanding.pop();
        return inlined;
    }

    private void type(JsonNode type, ObjectNode out) {
        if (type == null) {
            return;
        }
        if (type.isTextual()) {
            out.put("type", type.textValue().toUpperCase(Locale.ROOT));
            return;
        }
        if (!type.isArray()) {
            throw refused("'type' must be a string or an array of strings");
        }
        ArrayNode branches = GeminiJson.MAPPER.createArrayNode();
        for (JsonNode name : type) {
            if (!name.isTextual()) {
                throw refused("'type' must be a string or an array of strings");
            }
            if (name.textValue().equals("null")) {
                out.put("nullable", true);
            } else {
                branches.addObject().put("type", name.textValue().toUpperCase(Locale.ROOT));
            }
        }
        if (branches.size() == 1) {
            out.set("type", branches.get(0).get("type"));
        } else if (branches.size() > 1) {
            out.set("anyOf", branches);
        }
    }

    private static void enumeration(JsonNode schema, ObjectNode out) {
        JsonNode values = schema.get("enum");
        JsonNode constant = schema.get("const");
        if (values != null && values.isArray() && !values.isEmpty()) {
            for (JsonNode value : values) {
                if (!value.isTextual()) {
                    return;
                }
            }
            out.set("enum", values.deepCopy());
        } else if (constant != null && constant.isTextual()) {
            out.putArray("enum").add(constant.textValue());
        }
    }

    private static void required(JsonNode required, ObjectNode properties, ObjectNode out) {
        if (required == null || !required.isArray()) {
            return;
        }
        ArrayNode kept = GeminiJson.MAPPER.createArrayNode();
        for (JsonNode name : required) {
            if (name.isTextual() && properties.has(name.textValue())) {
                kept.add(name.textValue());
            }
        }
        if (!kept.isEmpty()) {
            out.set("required", kept);
        }
    }

    /**
     * {@code anyOf}/{@code oneOf}: a {@code null} branch becomes {@code nullable: true} and a single remaining branch
     * is merged into the parent (the parent's own keywords win), so {@code Optional[str]} reads as a nullable string.
     */
    private void alternatives(JsonNode schemas, ObjectNode out) {
        if (schemas == null || !schemas.isArray()) {
            return;
        }
        ArrayNode branches = GeminiJson.MAPPER.createArrayNode();
        for (JsonNode schema : schemas) {
            ObjectNode branch = node(schema);
            if (branch.size() == 1 && "NULL".equals(branch.path("type").textValue())) {
                out.put("nullable", true);
            } else {
                branches.add(branch);
            }
        }
        if (branches.size() == 1) {
            out.remove("anyOf");
            branches.get(0).properties().forEach(field -> {
                if (!out.has(field.getKey())) {
                    out.set(field.getKey(), field.getValue());
                }
            });
        } else if (!branches.isEmpty()) {
            out.set("anyOf", branches);
        }
    }

    private static void inferType(ObjectNode out) {
        if (out.has("type") || out.has("anyOf")) {
            return;
        }
        if (out.has("properties")) {
            out.put("type", "OBJECT");
        } else if (out.has("items")) {
            out.put("type", "ARRAY");
        } else if (out.has("enum")) {
            out.put("type", "STRING");
        }
    }

    private static void format(JsonNode format, ObjectNode out) {
        Set<String> known = FORMATS.get(out.path("type").asText(""));
        if (format != null && format.isTextual() && known != null && known.contains(format.textValue())) {
            out.put("format", format.textValue());
        }
    }

    private GatewayException refused(String why) {
        return new GatewayException(GatewayError.invalid(param, "parameter_not_supported",
                "The schema in '" + param + "' cannot be sent to Gemini: " + why + "."));
    }
}
