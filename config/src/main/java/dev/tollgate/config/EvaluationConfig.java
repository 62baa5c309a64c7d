package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.prompt.PromptRef;
import dev.tollgate.core.spi.Operation;
import java.util.List;

/**
 * The {@code evaluation} section as bound, with what it names in other sections and where: whether the team, the
 * model groups, the keys and the rubric prompts exist is a cross-section check ({@link EvaluationValidator}).
 *
 * @param settings the section; an evaluator with problems is left out (such a config is never compiled)
 * @param teamOrigin where {@code team} is written, or the section's position when it is not
 * @param models every model group an evaluator names, with the mode it must serve
 * @param keys every key a scope names
 * @param rubrics every registry prompt a judge uses as its rubric
 */
record EvaluationConfig(EvaluationSettings settings, Origin teamOrigin, List<ModelUse> models, List<KeyUse> keys,
        List<RubricUse> rubrics) {
    EvaluationConfig {
        requireNonNull(settings, "settings");
        requireNonNull(teamOrigin, "teamOrigin");
        models = List.copyOf(models);
        keys = List.copyOf(keys);
        rubrics = List.copyOf(rubrics);
    }

    /**
     * A model group named by an evaluator.
     *
     * @param mode what it must serve: chat for judges and probes, embeddings for an {@code embedding_model}
     * @param user who names it, for the message ("a judge")
     */
    record ModelUse(String name, Origin origin, Operation mode, String user) {
        ModelUse {
            requireNonNull(name, "name");
            requireNonNull(origin, "origin");
            requireNonNull(mode, "mode");
            requireNonNull(user, "user");
        }
    }

    /** A virtual key named by an evaluator's scope. */
    record KeyUse(String name, Origin origin) {
        KeyUse {
            requireNonNull(name, "name");
            requireNonNull(origin, "origin");
        }
    }

    /** A registry prompt a judge renders as its rubric. */
    record RubricUse(PromptRef ref, Origin origin) {
        RubricUse {
            requireNonNull(ref, "ref");
            requireNonNull(origin, "origin");
        }
    }
}
