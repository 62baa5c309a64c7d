package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Usage;
import java.io.IOException;

/**
 * The {@code usage} of a non-streamed reply (a chat completion or an embeddings list) read in one streaming pass:
 * the relay forwards the reply's own bytes and needs nothing else from it, so no tree is built for the rest.
 * The pass still reads every token, so a reply that is not one well-formed JSON object is caught. Stateless.
 */
final class UsageScan {

    private UsageScan() {}

    /** Reported usage; {@link Usage#UNKNOWN} when the reply has none; a PROVIDER_ERROR for a broken body. */
    static Usage read(byte[] body) {
        try (JsonParser p = WireJson.parser(body, body.length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw broken("the upstream reply is not a JSON object");
            }
            Usage usage = Usage.UNKNOWN;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.START_OBJECT && name.equals("usage")) {
                    usage = UsageJson.read(WireJson.MAPPER.readTree(p));
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw broken("the upstream reply has data after its JSON object");
            }
            return usage;
        } catch (IOException | IllegalStateException e) {
            throw broken("the upstream reply is not valid JSON");
        }
    }

    private static GatewayException broken(String why) {
        return new GatewayException(GatewayError.of(ErrorKind.PROVIDER_ERROR, why));
    }
}
