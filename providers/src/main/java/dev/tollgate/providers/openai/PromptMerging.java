package dev.tollgate.providers.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.providers.wire.PromptMerge;
import java.util.Locale;

/**
 * A rendered prompt in a Chat Completions body: its system text becomes a leading {@code system} message, its messages
 * follow, then the client's own (a system message of the client's stays where it was). The version's parameters fill
 * only what the client left unset; {@code max_tokens} is left alone when the client set
 * {@code max_completion_tokens}, its successor. Stateless.
 */
final class PromptMerging implements PromptMerge.Merger {
    static final PromptMerging INSTANCE = new PromptMerging();

    private PromptMerging() {}

    /** {@code user}, else {@code safety_identifier}, as the envelope reads them. */
    @Override
    public String user(ObjectNode body) {
        JsonNode user = body.get("user");
        if (user != null && user.isTextual()) {
            return user.asText();
        }
        JsonNode safety = body.get("safety_identifier");
        return safety != null && safety.isTextual() ? safety.asText() : null;
    }

    @Override
    public void merge(ObjectNode body, Operation operation, PromptVersion.Rendered rendered, Sampling params,
                      String model) {
        JsonNode own = body.get("messages");
        // A client's messages that are not an array are left for the envelope's 400, which names them.
        if (own == null || own.isNull() || own.isArray()) {
            ArrayNode messages = JsonNodeFactory.instance.arrayNode();
            if (rendered.system() != null) {
                messages.add(PromptMerge.textMessage("system", rendered.system()));
            }
            for (Message m : rendered.messages()) {
                messages.add(PromptMerge.textMessage(m.role().name().toLowerCase(Locale.ROOT), m.text()));
            }
            body.set("messages", PromptMerge.prepend(messages, own));
        }
        PromptMerge.fill(body, "temperature", params.temperature());
        PromptMerge.fill(body, "top_p", params.topP());
        if (!PromptMerge.isSet(body, "max_completion_tokens")) {
            PromptMerge.fill(body, "max_tokens", params.maxTokens());
        }
        PromptMerge.fill(body, "stop", params.stop().isEmpty() ? null : params.stop());
        PromptMerge.fill(body, "seed", params.seed());
        PromptMerge.fill(body, "presence_penalty", params.presencePenalty());
        PromptMerge.fill(body, "frequency_penalty", params.frequencyPenalty());
        PromptMerge.model(body, model);
    }

    @Override
    public GatewayException duplicate(String param) {
        return WireJson.duplicate(param);
    }
}
