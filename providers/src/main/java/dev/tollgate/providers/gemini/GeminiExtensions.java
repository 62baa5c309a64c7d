package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.providers.wire.Extensions;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What happens to the fields a client sent that the canonical request has no slot for. Those fields are in the
 * client's dialect (OpenAI or Anthropic), so each has a documented rule here, applied in this order:
 * <ol>
 *   <li>any field whose value is {@code null} is dropped: both dialects read null as "not set";</li>
 *   <li>{@link #DROPPED}: hints that change nothing Gemini could honour or the client could observe (storage, tiers,
 *       cache routing, latency hints, end-user ids, parallel-call switches: Gemini decides on parallel calls itself)
 *       are dropped;</li>
 *   <li>{@code logprobs: false} asks for nothing and is dropped;</li>
 *   <li>{@code top_k} (Anthropic's, and vLLM's OpenAI extension) becomes {@code generationConfig.topK};</li>
 *   <li>Gemini's own {@code safetySettings} and {@code cachedContent} go to the request's top level and
 *       {@code thinkingConfig} into {@code generationConfig}, as the client wrote them: a client that names Gemini
 *       fields asks for Gemini behaviour;</li>
 *   <li>anything else is a 400 {@code parameter_not_supported} naming the field, because silently ignoring it
 *       would change what the client asked for.</li>
 * </ol>
 *
 * @param topLevel Gemini request fields by name, sorted so the same request always gives the same bytes
 * @param generation {@code generationConfig} fields by name, sorted likewise
 */
record GeminiExtensions(Map<String, RawJson> topLevel, Map<String, RawJson> generation) {

    /** Extensions dropped whatever their value. */
    static final Set<String> DROPPED = Set.of("service_tier", "store", "metadata", "prediction", "prompt_cache_key",
            "safety_identifier", "parallel_tool_calls", "disable_parallel_tool_use");

    GeminiExtensions {
        topLevel = Collections.unmodifiableSortedMap(new TreeMap<>(topLevel));
        generation = Collections.unmodifiableSortedMap(new TreeMap<>(generation));
    }

    /** The rules applied to every extension of a request; throws the 400 for the first refused one (by name). */
    static GeminiExtensions of(Map<String, RawJson> extensions) {
        var topLevel = new TreeMap<String, RawJson>();
        var generation = new TreeMap<String, RawJson>();
        for (Map.Entry<String, RawJson> extension : Extensions.inNameOrder(extensions).entrySet()) {
            String name = extension.getKey();
            if (DROPPED.contains(name)) {
                continue;
            }
            RawJson value = extension.getValue();
            JsonNode tree = GeminiJson.treeOrNull(value.json());
            switch (name) {
                case "logprobs" -> requireNone(name, tree != null && tree.isBoolean() && !tree.booleanValue());
                case "top_k" -> generation.put("topK", typed(name, value, tree != null && tree.canConvertToInt() && tree.intValue() >= 1
                        && tree.isIntegralNumber(), "a positive integer"));
                case "safetySettings" -> topLevel.put(name, typed(name, value, tree != null && tree.isArray(), "an array"));
                case "cachedContent" -> topLevel.put(name, typed(name, value, tree != null && tree.isTextual(), "a string"));
                case "thinkingConfig" -> generation.put(name, typed(name, value, tree != null && tree.isObject(), "an object"));
                default -> throw notSupported(name);
            }
        }
        return new GeminiExtensions(topLevel, generation);
    }

    private static void requireNone(String name, boolean none) {
        if (!none) {
            throw notSupported(name);
        }
    }

    private static RawJson typed(String name, RawJson value, boolean ok, String expected) {
        if (!ok) {
            throw new GatewayException(GatewayError.invalid(name, "invalid_type",
                    "Invalid '" + name + "': expected " + expected + "."));
        }
        return value;
    }

    private static GatewayException notSupported(String name) {
        return new GatewayException(GatewayError.invalid(name, "parameter_not_supported",
                "'" + name + "' is not supported by the Gemini provider serving this model."));
    }
}
