package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.providers.wire.Extensions;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.util.Map;

/**
 * The rule for extensions of another client dialect when the upstream is Anthropic. The table is written in OpenAI's
 * vocabulary, the only other dialect today; a name it does not list is refused, so a parameter that would change the
 * answer is never silently lost.
 *
 * <table>
 *   <caption>Foreign extensions</caption>
 *   <tr><th>name</th><th>rule</th></tr>
 *   <tr><td>any name with value {@code null}</td><td>dropped: OpenAI reads null as "not set"</td></tr>
 *   <tr><td>{@code parallel_tool_calls}</td><td>{@code false} becomes {@code tool_choice.disable_parallel_tool_use};
 *       {@code true} is Anthropic's default</td></tr>
 *   <tr><td>{@code safety_identifier}</td><td>{@code metadata.user_id} when the request names no {@code user}</td></tr>
 *   <tr><td>{@code service_tier}, {@code store}, {@code metadata}, {@code prediction}, {@code prompt_cache_key}</td>
 *       <td>dropped: OpenAI billing tier, stored completions and their tags, a latency hint and a cache-routing
 *       hint; none changes the answer</td></tr>
 *   <tr><td>{@code logprobs}</td><td>{@code false} dropped; {@code true} refused (Anthropic reports none)</td></tr>
 *   <tr><td>anything else</td><td>400 {@code parameter_not_supported} naming it</td></tr>
 * </table>
 * Stateless.
 */
final class ForeignExtensions {

    private ForeignExtensions() {}

    /**
     * What the extensions ask of an Anthropic request.
     *
     * @param disableParallelToolUse {@code parallel_tool_calls} was false
     * @param userId the {@code safety_identifier}, or null
     */
    record Applied(boolean disableParallelToolUse, String userId) {}

    /** Applies the table, in name order (so the first refusal is always the same one); throws for a refused name. */
    static Applied apply(Map<String, RawJson> extensions) {
        boolean disableParallel = false;
        String userId = null;
        for (Map.Entry<String, RawJson> extension : Extensions.inNameOrder(extensions).entrySet()) {
            String name = extension.getKey();
            String json = extension.getValue().json().strip();
            switch (name) {
                case "parallel_tool_calls" -> disableParallel = !bool(name, json);
                case "safety_identifier" -> userId = string(name, json);
                case "service_tier", "store", "metadata", "prediction", "prompt_cache_key" -> { }
                case "logprobs" -> {
                    if (bool(name, json)) {
                        throw refused(name, "Anthropic models report no log probabilities.");
                    }
                }
                default -> throw refused(name, "this model's provider (Anthropic) has no equivalent.");
            }
        }
        return new Applied(disableParallel, userId);
    }

    private static boolean bool(String name, String json) {
        return switch (json) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new GatewayException(GatewayError.invalid(name, "invalid_type",
                    "Invalid type for '" + name + "': expected a boolean."));
        };
    }

    private static String string(String name, String json) {
        try (JsonParser p = Json.FACTORY.createParser(json)) {
            if (p.nextToken() == JsonToken.VALUE_STRING) {
                return p.getText();
            }
        } catch (IOException e) {
            // Falls through to the type error: the value was not a JSON string.
        }
        throw new GatewayException(GatewayError.invalid(name, "invalid_type", "Invalid type for '" + name + "': expected a string."));
    }

    private static GatewayException refused(String name, String why) {
        return new GatewayException(GatewayError.invalid(name, "parameter_not_supported",
                "The parameter '" + name + "' is not supported for this model: " + why));
    }
}
