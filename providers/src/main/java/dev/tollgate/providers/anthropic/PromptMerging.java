package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.providers.wire.PromptMerge;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A rendered prompt in a Messages body. The prompt's system text goes first in {@code system}: alone it is a
 * string; beside a client's system it becomes a text block before the client's, which are kept as they came (a
 * string one becomes a text block), so the client's {@code cache_control} marks stay on the blocks they were on.
 * A {@code system} message of the prompt joins the system text, since the Messages API has no system turns. The
 * prompt's user and assistant messages go before the client's. The version's {@code temperature}, {@code top_p},
 * {@code max_tokens} and {@code stop} (as {@code stop_sequences}) fill only what the client left unset, and not at
 * all for {@code count_tokens}, which takes no generation parameters. Stateless.
 */
final class PromptMerging implements PromptMerge.Merger {
    static final PromptMerging INSTANCE = new PromptMerging();

    private PromptMerging() {}

    /** {@code metadata.user_id}, as the envelope reads it. */
    @Override
    public String user(ObjectNode body) {
        JsonNode user = body.path("metadata").get("user_id");
        return user != null && user.isTextual() ? user.asText() : null;
    }

    @Override
    public void merge(ObjectNode body, Operation operation, PromptVersion.Rendered rendered, Sampling params,
                      String model) {
        List<String> system = new ArrayList<>(2);
        if (rendered.system() != null) {
            system.add(rendered.system());
        }
        ArrayNode turns = JsonNodeFactory.instance.arrayNode();
        for (Message m : rendered.messages()) {
            if (m.role() == Role.SYSTEM) {
                system.add(m.text());
            } else {
                turns.add(PromptMerge.textMessage(m.role().name().toLowerCase(Locale.ROOT), m.text()));
            }
        }
        if (!system.isEmpty()) {
            mergeSystem(body, String.join("\n\n", system));
        }
        JsonNode own = body.get("messages");
        // A client's messages that are not an array are left for the envelope's 400, which names them.
        if (own == null || own.isNull() || own.isArray()) {
            body.set("messages", PromptMerge.prepend(turns, own));
        }
        if (operation == Operation.CHAT) {
            PromptMerge.fill(body, "temperature", params.temperature());
            PromptMerge.fill(body, "top_p", params.topP());
            PromptMerge.fill(body, "max_tokens", params.maxTokens());
            PromptMerge.fill(body, "stop_sequences", params.stop().isEmpty() ? null : params.stop());
        }
        PromptMerge.model(body, model);
    }

    @Override
    public GatewayException duplicate(String param) {
        return AnthropicJson.duplicate(param);
    }

    private static void mergeSystem(ObjectNode body, String text) {
        JsonNode own = body.get("system");
        if (own == null || own.isNull() || own.isTextual() && own.asText().isEmpty()) {
            body.put("system", text);
            return;
        }
        if (!own.isTextual() && !own.isArray()) {
            return; // left for the decoder's 400, which names it
        }
        ArrayNode blocks = JsonNodeFactory.instance.arrayNode();
        blocks.add(textBlock(text));
        if (own.isTextual()) {
            blocks.add(textBlock(own.asText()));
        } else {
            blocks.addAll((ArrayNode) own);
        }
        body.set("system", blocks);
    }

    private static ObjectNode textBlock(String text) {
        ObjectNode block = JsonNodeFactory.instance.objectNode();
        block.put("type", "text");
        block.put("text", text);
        return block;
    }
}
