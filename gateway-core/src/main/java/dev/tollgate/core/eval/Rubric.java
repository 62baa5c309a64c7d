package dev.tollgate.core.eval;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.prompt.PromptRef;
import java.util.Locale;

/** What a judge is asked to score: one of the shipped rubrics, or a prompt of the registry. */
public sealed interface Rubric {
    /** The name results, metrics and alert rules carry: a shipped rubric's config name, or the prompt's id. */
    String id();

    /** A rubric shipped with the gateway. */
    enum Shipped implements Rubric {
        /** Whether the answer stays true to the context and system prompt it was given (hallucination). */
        FAITHFULNESS,
        /** Whether the answer is free of insults, threats, harassment and hate (1: not toxic at all). */
        TOXICITY,
        /** Whether the answer helps the user with what they asked. */
        HELPFULNESS,
        /** Whether the answer follows the instructions of the system prompt and the user. */
        INSTRUCTION_FOLLOWING;

        @Override
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The rubric a config name names, or null. */
        public static Shipped of(String id) {
            for (Shipped s : values()) {
                if (s.id().equals(id)) {
                    return s;
                }
            }
            return null;
        }
    }

    /**
     * A registry prompt used as the rubric: rendered with the variables {@code prompt}, {@code context} and
     * {@code answer}; its reply must have the shape of a shipped rubric's.
     */
    record Registry(PromptRef ref) implements Rubric {
        public Registry {
            requireNonNull(ref, "ref");
        }

        @Override
        public String id() {
            return ref.id();
        }
    }
}
