package dev.tollgate.providers.openai;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.providers.wire.Extensions;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rule for extensions of another client dialect (Anthropic's, today) when the upstream speaks OpenAI's API.
 * A name the table does not list is refused, so a parameter that would change the answer is never silently lost.
 *
 * <table>
 *   <caption>Foreign extensions</caption>
 *   <tr><th>name</th><th>rule</th></tr>
 *   <tr><td>any name with value {@code null}</td><td>dropped</td></tr>
 *   <tr><td>{@code disable_parallel_tool_use}</td><td>{@code true} becomes {@code parallel_tool_calls: false}</td></tr>
 *   <tr><td>{@code top_k}</td><td>written as is: OpenAI-compatible servers (vLLM, Ollama) honour it, and OpenAI
 *       itself answers with its own 400, relayed</td></tr>
 *   <tr><td>{@code metadata}, {@code service_tier}</td><td>dropped: Anthropic's request tags (its end-user id is
 *       already the request's {@code user}) and billing tier</td></tr>
 *   <tr><td>{@code thinking}</td><td>dropped: extended-thinking budgets are Anthropic's; OpenAI-compatible models
 *       reason by their own settings</td></tr>
 *   <tr><td>anything else</td><td>400 {@code parameter_not_supported} naming it</td></tr>
 * </table>
 * Stateless.
 */
final class ForeignExtensions {

    private ForeignExtensions() {}

    /** The fields to write, in name order (so the first refusal is always the same one); throws for a refused name. */
    static Map<String, RawJson> apply(Map<String, RawJson> extensions) {
        var out = new TreeMap<String, RawJson>();
        for (Map.Entry<String, RawJson> extension : Extensions.inNameOrder(extensions).entrySet()) {
            String name = extension.getKey();
            switch (name) {
                case "disable_parallel_tool_use" -> {
                    if (extension.getValue().json().strip().equals("true")) {
                        out.put("parallel_tool_calls", new RawJson("false"));
                    }
                }
                case "top_k" -> out.put(name, extension.getValue());
                case "metadata", "service_tier", "thinking" -> { }
                default -> throw new GatewayException(GatewayError.invalid(name, "parameter_not_supported",
                        "'" + name + "' is not supported by this model's provider (OpenAI API), which has no "
                                + "equivalent."));
            }
        }
        return out;
    }
}
