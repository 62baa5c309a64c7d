package dev.tollgate.providers.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import java.io.IOException;
import java.util.function.Function;

/**
 * One object member of a non-streamed upstream reply (its {@code usage}, say), read in one streaming pass: the
 * same-dialect relay forwards the reply's own bytes and needs nothing else from it, so only that member becomes a
 * tree. The pass still reads every token, so a reply that is not one well-formed JSON object is caught. Stateless.
 */
public final class TopLevelScan {

    private TopLevelScan() {}

    /** Opens the parser over the reply; the caller decides which encodings it accepts. */
    @FunctionalInterface
    public interface Source {
        JsonParser open() throws IOException;
    }

    /**
     * {@code read} applied to the top-level member {@code name} when its value is an object (the last one, should
     * the reply repeat it), else {@code absent}. A reply that is not one JSON object is a PROVIDER_ERROR
     * {@link GatewayException}.
     */
    public static <T> T member(Source source, String name, T absent, Function<JsonNode, T> read) {
        try (JsonParser p = source.open()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw broken("the upstream reply is not a JSON object");
            }
            T value = absent;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken token = p.nextToken();
                if (token == JsonToken.START_OBJECT && field.equals(name)) {
                    value = read.apply(Json.MAPPER.readTree(p));
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw broken("the upstream reply has data after its JSON object");
            }
            return value;
        } catch (IOException | IllegalStateException e) {
            // IllegalStateException is Jackson's answer to a hash-flood of field names.
            throw broken("the upstream reply is not valid JSON");
        }
    }

    private static GatewayException broken(String why) {
        return new GatewayException(GatewayError.of(ErrorKind.PROVIDER_ERROR, why));
    }
}
