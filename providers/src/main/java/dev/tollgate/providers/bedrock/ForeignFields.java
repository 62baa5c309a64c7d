package dev.tollgate.providers.bedrock;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.providers.wire.Extensions;
import java.util.Map;
import java.util.Set;

/**
 * The rule for fields a client sent that the canonical model has no slot for: Bedrock has no place for any of them,
 * so each is either dropped (a field whose absence changes nothing in the answer) or refused with a 400 that names
 * it. Refusing beats silently ignoring a field that changes the answer ({@code logprobs}, {@code reasoning_effort},
 * {@code logit_bias}): the client learns at once instead of reading a different answer than it asked for. An
 * explicit JSON {@code null} means "not set" and is always dropped. Stateless.
 */
final class ForeignFields {

    /**
     * Chat fields dropped without a word: billing tier, stored completions and their metadata, cache-routing and
     * latency hints, end-user ids, and parallel-call switches (the client handles each call it gets either way).
     */
    static final Set<String> HARMLESS_CHAT = Set.of("service_tier", "store", "metadata", "prediction",
            "prompt_cache_key", "safety_identifier", "parallel_tool_calls", "disable_parallel_tool_use");

    /** Fields dropped only with one value, which asks for nothing: {@code logprobs: false}. */
    private static final Map<String, String> HARMLESS_VALUES = Map.of("logprobs", "false");

    private ForeignFields() {}

    /**
     * Throws {@link GatewayException} ({@code parameter_not_supported}, param = the field) for the first field, in
     * name order, that is not null, not in {@code harmless} and not a harmless value.
     */
    static void check(Map<String, RawJson> extensions, Set<String> harmless) {
        for (Map.Entry<String, RawJson> extension : Extensions.inNameOrder(extensions).entrySet()) {
            String name = extension.getKey();
            if (harmless.contains(name) || extension.getValue().json().strip().equals(HARMLESS_VALUES.get(name))) {
                continue;
            }
            throw new GatewayException(GatewayError.invalid(name, "parameter_not_supported",
                    "The parameter '" + name + "' is not supported by this model's Amazon Bedrock deployment."));
        }
    }
}
