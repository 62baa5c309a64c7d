package dev.tollgate.core.model;

import java.util.List;

/**
 * Generation parameters. A null field means the client did not set it, which is not the same as any value:
 * the provider's default applies.
 */
public record Sampling(
        Double temperature,
        Double topP,
        Integer maxTokens,
        List<String> stop,
        Long seed,
        Double presencePenalty,
        Double frequencyPenalty,
        Integer n) {

    public static final Sampling DEFAULTS = new Sampling(null, null, null, List.of(), null, null, null, null);

    public Sampling {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** These parameters with {@code maxTokens} in place of the client's. */
    public Sampling withMaxTokens(Integer maxTokens) {
        return new Sampling(temperature, topP, maxTokens, stop, seed, presencePenalty, frequencyPenalty, n);
    }
}
