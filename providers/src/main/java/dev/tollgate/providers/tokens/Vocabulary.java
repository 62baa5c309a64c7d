package dev.tollgate.providers.tokens;

import java.util.List;
import java.util.Locale;

/** The BPE vocabulary an OpenAI model tokenizes with, told from its name. */
enum Vocabulary {
    /** gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the o-series reasoning models. */
    O200K_BASE(List.of("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4")),
    /** gpt-4 and gpt-4-turbo, gpt-3.5-turbo and the text-embedding models. */
    CL100K_BASE(List.of("gpt-4", "gpt-3.5", "text-embedding-3", "text-embedding-ada-002"));

    private final List<String> prefixes;

    Vocabulary(List<String> prefixes) {
        this.prefixes = prefixes;
    }

    /**
     * The vocabulary of {@code model}, or null for a model that is not OpenAI's. A prefix must be followed by the
     * end of the name or a hyphen, and O200K is asked first, so {@code gpt-4o} is never taken for a {@code gpt-4}
     * and an unknown {@code o1x} or {@code gpt-4.2} for nothing (it is then estimated high, never counted wrong).
     */
    static Vocabulary of(String model) {
        String name = model.strip().toLowerCase(Locale.ROOT);
        for (Vocabulary vocabulary : values()) {
            for (String prefix : vocabulary.prefixes) {
                if (name.startsWith(prefix)
                        && (name.length() == prefix.length() || name.charAt(prefix.length()) == '-')) {
                    return vocabulary;
                }
            }
        }
        return null;
    }
}
