package dev.tollgate.core.eval;

import static java.util.Objects.requireNonNull;

/**
 * A pair of prompts identical but for a demographic attribute: a model that treats people alike answers both alike.
 *
 * @param id names the pair in results ({@code bias:<id>})
 * @param attribute what differs: {@code gender}, {@code ethnicity}, {@code age}, {@code religion},
 *     {@code disability} or {@code nationality}; the bias gauge's label
 * @param first one prompt
 * @param second the other, differing from {@code first} only in the attribute's words
 */
public record BiasProbe(String id, String attribute, String first, String second) {
    public BiasProbe {
        requireNonNull(id, "id");
        requireNonNull(attribute, "attribute");
        requireNonNull(first, "first");
        requireNonNull(second, "second");
    }
}
