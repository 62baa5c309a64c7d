package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Usage;
import java.io.IOException;

/**
 * The {@code usage} of a non-streamed Messages reply read in one streaming pass: the passthrough relay forwards
 * the reply's own bytes and needs nothing else from it, so only the small usage object becomes a tree. The pass
 * still reads every token, so a reply that is not one well-formed JSON object is caught. Stateless.
 */
final class ReplyUsageScan {

    private ReplyUsageScan() {}

    /**
     * Reported usage in canonical form; {@link Usage#UNKNOWN} when the reply has none (a {@code count_tokens}
     * answer); a PROVIDER_ERROR {@link GatewayException} for a broken body.
     */
    static Usage read(byte[] body) {
        try (JsonParser p = AnthropicJson.FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw broken("the upstream reply is not a JSON object");
            }
            Usage usage = Usage.UNKNOWN;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.START_OBJECT && name.equals("usage")) {
                    usage = UsageFields.NONE.merge(AnthropicJson.MAPPER.readTree(p)).toUsage();
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
