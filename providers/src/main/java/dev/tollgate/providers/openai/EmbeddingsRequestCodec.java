package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The OpenAI embeddings request, both ways: read from clients (streaming, validated), written for upstreams. */
final class EmbeddingsRequestCodec {

    /** OpenAI's own limit on inputs per request. */
    static final int MAX_INPUTS = 2048;

    private EmbeddingsRequestCodec() {}

    static EmbeddingRequest read(byte[] body) {
        return Json.readObject(body, body.length, WireJson.MALFORMED, p -> {
            EmbeddingRequest request = readObject(p, body);
            Json.requireEnd(p, WireJson.MALFORMED);
            return request;
        });
    }

    private static EmbeddingRequest readObject(JsonParser p, byte[] body) throws IOException {
        String model = null;
        List<String> inputs = null;
        Integer dimensions = null;
        String encodingFormat = null;
        String user = null;
        Map<String, RawJson> extensions = new HashMap<>();
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (!seen.add(name)) {
                throw WireJson.duplicate(name);
            }
            p.nextToken();
            switch (name) {
                case "model" -> model = WireJson.string(p, "model");
                case "input" -> inputs = readInputs(p);
                case "dimensions" -> dimensions = WireJson.nullableInt(p, name, 1);
                case "encoding_format" -> encodingFormat = readFormat(p);
                case "user" -> user = WireJson.nullableString(p, name);
                default -> extensions.put(name, Json.raw(p, body));
            }
        }
        return new EmbeddingRequest(WireJson.required(model, "model"), WireJson.required(inputs, "input"), dimensions,
                encodingFormat, user, extensions);
    }

    private static String readFormat(JsonParser p) throws IOException {
        String format = WireJson.nullableString(p, "encoding_format");
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw WireJson.invalidValue("encoding_format",
                    "Invalid value: '" + format + "'. Supported values are: 'float' and 'base64'.");
        }
        return format;
    }

    private static List<String> readInputs(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case VALUE_STRING -> {
                return List.of(nonEmpty(p.getText(), "input"));
            }
            case START_ARRAY -> {
                var inputs = new ArrayList<String>();
                JsonToken token;
                while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                    String at = "input[" + inputs.size() + "]";
                    if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.START_ARRAY) {
                        throw tokenInput();
                    }
                    if (inputs.size() == MAX_INPUTS) {
                        throw new GatewayException(GatewayError.invalid("input", "too_many_inputs",
                                "Invalid 'input': at most " + MAX_INPUTS + " inputs per request."));
                    }
                    inputs.add(nonEmpty(WireJson.string(p, at), at));
                }
                if (inputs.isEmpty()) {
                    throw new GatewayException(GatewayError.invalid("input", "empty_array",
                            "Invalid 'input': empty array. Expected at least one input."));
                }
                return inputs;
            }
            default -> throw WireJson.invalidType("input", "a string or an array of strings", p.currentToken());
        }
    }

    /** Token-id inputs only make sense to the tokenizer of one model; a gateway routing across providers cannot honour them. */
    private static GatewayException tokenInput() {
        return new GatewayException(GatewayError.invalid("input", "invalid_type",
                "Invalid 'input': token arrays are not supported by this gateway; send the input as text."));
    }

    private static String nonEmpty(String input, String param) {
        if (input.isEmpty()) {
            throw WireJson.invalidValue(param, "Invalid '" + param + "': an input cannot be an empty string.");
        }
        return input;
    }

    /** The upstream body for {@code upstreamModel}. */
    static byte[] write(EmbeddingRequest request, String upstreamModel) {
        var out = new ByteArrayBuilder(256);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("model", upstreamModel);
            g.writeArrayFieldStart("input");
            for (String input : request.inputs()) {
                g.writeString(input);
            }
            g.writeEndArray();
            if (request.dimensions() != null) {
                g.writeNumberField("dimensions", request.dimensions());
            }
            if (request.encodingFormat() != null) {
                g.writeStringField("encoding_format", request.encodingFormat());
            }
            if (request.user() != null) {
                g.writeStringField("user", request.user());
            }
            for (Map.Entry<String, RawJson> extension : new TreeMap<>(request.extensions()).entrySet()) {
                g.writeFieldName(extension.getKey());
                g.writeRawValue(extension.getValue().json());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }
}
