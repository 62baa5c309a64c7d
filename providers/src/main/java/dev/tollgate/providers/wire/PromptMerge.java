package dev.tollgate.providers.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.prompt.PromptChoice;
import dev.tollgate.core.prompt.PromptRef;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.PromptRequest;
import dev.tollgate.core.spi.PromptResolver;
import dev.tollgate.core.spi.PromptedBody;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The dialect-neutral half of merging a registry prompt into a client's body: the body becomes a tree (once, and
 * only for a request that names a prompt), the reference and variables are read from the headers or the top-level
 * {@code prompt} object (whose fields mirror the {@code prompt} of OpenAI's Responses API, plus {@code label}), the
 * version is chosen and rendered, and the dialect's {@link Merger} writes it into the tree. Stateless and
 * thread-safe.
 */
public final class PromptMerge {

    /**
     * What a dialect contributes: where its end user is, how a rendered version goes into its body, and how it
     * words a key given twice.
     */
    public interface Merger {
        /** The end user the body names, or null. */
        String user(ObjectNode body);

        /**
         * Writes {@code rendered} and the version's defaults into {@code body}, whose {@code prompt} field is gone
         * already; {@code model} is the model the request goes to, or null when none is named anywhere.
         */
        void merge(ObjectNode body, Operation operation, PromptVersion.Rendered rendered, Sampling params,
                   String model);

        /** The dialect's 400 for a body key given twice, as its envelope words it; {@code param} is its path. */
        GatewayException duplicate(String param);
    }

    private static final String BODY_PARAM = PromptRequest.FIELD;
    private static final Set<String> FIELDS = Set.of("id", "version", "label", "variables");
    /**
     * Decimals are kept as written (1.10 stays 1.10, a long fraction loses nothing, a number beyond a double's range
     * stays a number), since the merged body goes upstream in place of the client's and a variable renders as its
     * number. A key given twice inside the client's own fields is read as the upstream reads it (the last wins),
     * as it would be without a prompt; where the gateway reads keys itself (the top level, the {@code prompt}
     * field, the variables header), one given twice is refused instead.
     */
    private static final ObjectReader TREE = Json.MAPPER.reader()
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

    private PromptMerge() {}

    /**
     * The merged body; see {@link dev.tollgate.core.spi.ClientDialect#mergePrompt}.
     *
     * @param wording the dialect's 400 for a body that is not JSON
     */
    public static PromptedBody apply(byte[] body, Operation operation, PromptRequest headers,
                                     PromptResolver resolver, MalformedJson wording, Merger merger) {
        ObjectNode tree = Json.readObject(body, body.length, wording, p -> {
            // the top level: the envelope's keys, refused twice as the envelope refuses them
            ObjectNode read = JsonNodeFactory.instance.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                JsonNode value = name.equals(PromptRequest.FIELD) ? strictValue(p, name, merger::duplicate)
                        : TREE.readTree(p);
                if (read.replace(name, value) != null) {
                    throw merger.duplicate(name);
                }
            }
            Json.requireEnd(p, wording);
            return read;
        });
        JsonNode field = tree.remove(PromptRequest.FIELD);
        Named named = named(field, headers);
        PromptChoice choice = resolver.choose(named.ref(), merger.user(tree));
        PromptVersion version = choice.version();
        PromptVersion.Rendered rendered = version.render(choice.prompt().id(), named.variables());
        JsonNode own = tree.get("model");
        String model = choice.model() != null ? choice.model()
                : own != null && own.isTextual() && !own.asText().isEmpty() ? own.asText()
                : version.model();
        merger.merge(tree, operation, rendered, version.params(), model);
        try {
            return new PromptedBody(Json.MAPPER.writeValueAsBytes(tree), choice,
                    version.variables().stream().map(named.variables()::get).toList());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
    }

    /** A reference and its variables, from one of the two places a request may name them. */
    private record Named(PromptRef ref, Map<String, String> variables) {}

    private static Named named(JsonNode field, PromptRequest headers) {
        if (headers.reference() != null) {
            if (field != null) {
                throw invalid(BODY_PARAM, "prompt_named_twice", "The request names a prompt both in the "
                        + PromptRequest.HEADER + " header and in the body's 'prompt' field; name it once.");
            }
            PromptRef ref = PromptRef.parse(headers.reference(), PromptRequest.HEADER);
            Map<String, String> variables = headers.variables() == null ? Map.of()
                    : variables(PromptRequest.VARIABLES_HEADER, headerObject(headers.variables()));
            return new Named(ref, variables);
        }
        if (headers.variables() != null) {
            throw invalid(PromptRequest.VARIABLES_HEADER, "prompt_variables_without_prompt", "The "
                    + PromptRequest.VARIABLES_HEADER + " header goes with the " + PromptRequest.HEADER
                    + " header; a prompt named in the body carries its variables in 'prompt.variables'.");
        }
        if (field == null) {
            throw new IllegalStateException("a prompt merge for a request that names no prompt");
        }
        return bodyReference(field);
    }

    private static Named bodyReference(JsonNode field) {
        if (!field.isObject()) {
            throw typeError(BODY_PARAM, "an object", field);
        }
        for (Iterator<String> names = field.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw invalid(BODY_PARAM + "." + name, "unknown_parameter", "Unknown parameter: 'prompt."
                        + name + "'; a prompt has id, version, label and variables.");
            }
        }
        JsonNode id = field.get("id");
        if (id == null || id.isNull()) {
            throw invalid("prompt.id", "missing_required_parameter", "Missing required parameter: 'prompt.id'.");
        }
        if (!id.isTextual()) {
            throw typeError("prompt.id", "a string", id);
        }
        PromptRef.checkName(id.asText(), "id", "prompt.id");
        Integer version = version(field.get("version"));
        String label = label(field.get("label"));
        if (version != null && label != null) {
            throw invalid("prompt", "prompt_version_and_label", "A prompt is named by 'prompt.version' or "
                    + "'prompt.label', not both.");
        }
        JsonNode variables = field.get("variables");
        Map<String, String> values = variables == null || variables.isNull() ? Map.of()
                : variables("prompt.variables", variables);
        return new Named(new PromptRef(id.asText(), label, version), values);
    }

    private static Integer version(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() || node.isIntegralNumber()) {
            return PromptRef.version(node.asText(), "prompt.version");
        }
        throw typeError("prompt.version", "an integer or a string", node);
    }

    private static String label(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw typeError("prompt.label", "a string", node);
        }
        PromptRef.checkName(node.asText(), "label", "prompt.label");
        return node.asText();
    }

    /**
     * The variables header's JSON value, read as the body's {@code prompt.variables} is (a variable renders the same
     * either way) and as a whole: a name given twice, or anything after the value, is a 400.
     */
    private static JsonNode headerObject(String text) {
        String header = PromptRequest.VARIABLES_HEADER;
        try (JsonParser p = TREE.createParser(text)) {
            if (p.nextToken() == null) {
                throw invalidVariables("it is empty");
            }
            JsonNode value = strictValue(p, header, param -> invalid(header, "invalid_prompt_variables", "The "
                    + header + " header gives '" + param.substring(header.length() + 1) + "' more than once."));
            if (p.nextToken() != null) {
                throw invalidVariables("data follows its JSON value");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw invalidVariables(e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string", e);
        }
    }

    private static GatewayException invalidVariables(String why) {
        return invalid(PromptRequest.VARIABLES_HEADER, "invalid_prompt_variables", "The "
                + PromptRequest.VARIABLES_HEADER + " header is not valid JSON: " + why + ".");
    }

    /**
     * The value at the parser's current token, read with no key given twice in any of its objects: {@code duplicate}
     * gets the key's path from {@code param} ({@code prompt.variables.name}).
     */
    private static JsonNode strictValue(JsonParser p, String param, Function<String, GatewayException> duplicate)
            throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return TREE.readTree(p);
        }
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            String path = param + "." + name;
            if (object.replace(name, strictValue(p, path, duplicate)) != null) {
                throw duplicate.apply(path);
            }
        }
        return object;
    }

    /**
     * The variables as text: strings as they are, numbers and booleans as their JSON text; anything else is a 400
     * naming the variable, since a template has no way to show an object, an array or null.
     */
    private static Map<String, String> variables(String param, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw typeError(param, "an object", node);
        }
        var values = new LinkedHashMap<String, String>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            if (value.isTextual()) {
                values.put(e.getKey(), value.asText());
            } else if (value.isNumber() || value.isBoolean()) {
                values.put(e.getKey(), value.toString());
            } else {
                String name = param + "." + e.getKey();
                throw invalid(name, "invalid_prompt_variable", "Invalid '" + name + "': a prompt variable is a "
                        + "string, a number or a boolean, but got " + typeName(value) + ".");
            }
        }
        return values;
    }

    /** A JSON object for a rendered message: {@code {"role": role, "content": text}}. */
    public static ObjectNode textMessage(String role, String text) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("role", role);
        m.put("content", text);
        return m;
    }

    /** {@code rendered} followed by {@code own} (the client's array), as a new array. */
    public static ArrayNode prepend(ArrayNode rendered, JsonNode own) {
        if (own != null && own.isArray()) {
            rendered.addAll((ArrayNode) own);
        }
        return rendered;
    }

    /** Sets {@code field} to {@code value} when the client left it unset (absent or null) and the value is set. */
    public static void fill(ObjectNode body, String field, Object value) {
        if (value == null || (body.has(field) && !body.get(field).isNull())) {
            return;
        }
        body.set(field, Json.MAPPER.valueToTree(value));
    }

    /** Whether the client set {@code field} to something other than null. */
    public static boolean isSet(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        return node != null && !node.isNull();
    }

    /** The model field as the merge decided: set, or removed when no model is named anywhere. */
    public static void model(ObjectNode body, String model) {
        if (model == null) {
            body.remove("model");
        } else {
            body.put("model", model);
        }
    }

    private static GatewayException typeError(String param, String expected, JsonNode actual) {
        return invalid(param, "invalid_type", "Invalid type for '" + param + "': expected " + expected + ", but got "
                + typeName(actual) + " instead.");
    }

    private static String typeName(JsonNode node) {
        if (node == null) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case OBJECT, POJO -> "an object";
            case ARRAY -> "an array";
            case STRING, BINARY -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
        };
    }

    private static GatewayException invalid(String param, String code, String message) {
        return new GatewayException(GatewayError.invalid(param, code, message));
    }
}
