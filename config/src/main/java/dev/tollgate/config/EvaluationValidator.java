package dev.tollgate.config;

import dev.tollgate.core.prompt.PromptRef;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks on {@code evaluation} that span sections, run on a bound config: the charged team is one of the
 * config's, the model groups evaluators name exist and serve the right mode, the keys scopes name are the config's,
 * and a judge's registry rubric names a prompt (and a label or version of it) whose every version reads only the
 * variables a rubric is rendered with.
 */
final class EvaluationValidator {
    /** The variables a rubric prompt is rendered with. */
    static final Set<String> RUBRIC_VARIABLES = new LinkedHashSet<>(List.of("prompt", "context", "answer"));

    private EvaluationValidator() {}

    static void check(TollgateConfig config, Diagnostics problems) {
        EvaluationConfig evaluation = config.evaluation();
        String team = evaluation.settings().team();
        Set<String> teams = config.teams().keySet();
        if (team != null && !teams.contains(team)) {
            problems.error(evaluation.teamOrigin(), "unknown team '" + team + "'"
                    + (teams.isEmpty() ? "; declare it under teams" : Suggestion.didYouMean(team, teams)));
        }
        for (EvaluationConfig.ModelUse model : evaluation.models()) {
            RoutingValidator.checkModel(model.name(), model.origin(), model.user(), model.mode(), config.models(),
                    problems);
        }
        Set<String> keys = new LinkedHashSet<>();
        config.keys().forEach(key -> keys.add(key.name()));
        keys.remove(null);
        for (EvaluationConfig.KeyUse key : evaluation.keys()) {
            if (!keys.contains(key.name())) {
                problems.error(key.origin(), "unknown key '" + key.name() + "'" + (keys.isEmpty()
                        ? ": the keys section declares none"
                        : Suggestion.didYouMean(key.name(), keys)));
            }
        }
        for (EvaluationConfig.RubricUse rubric : evaluation.rubrics()) {
            checkRubric(rubric, config.prompts(), problems);
        }
    }

    private static void checkRubric(EvaluationConfig.RubricUse rubric, Map<String, PromptConfig> prompts,
            Diagnostics problems) {
        PromptRef ref = rubric.ref();
        PromptConfig prompt = prompts.get(ref.id());
        if (prompt == null) {
            problems.error(rubric.origin(), "unknown prompt '" + ref.id() + "'" + (prompts.isEmpty()
                    ? "; declare it under prompts"
                    : Suggestion.didYouMean(ref.id(), prompts.keySet())));
            return;
        }
        // Only a label the request names must exist: without one, the default label or else the newest version
        // is taken, as for any request.
        if (ref.label() != null && !prompt.labels().containsKey(ref.label())) {
            problems.error(rubric.origin(), "prompt '" + prompt.id() + "' has no label '" + ref.label() + "'"
                    + Suggestion.didYouMean(ref.label(), prompt.labels().keySet()));
        }
        if (ref.version() != null && !prompt.versions().isEmpty() && !prompt.versions().containsKey(ref.version())) {
            problems.error(rubric.origin(), "prompt '" + prompt.id() + "' has no version " + ref.version()
                    + "; it has " + PromptsSection.numbers(prompt.versions()));
        }
        // Every version, not only the one referenced: labels move and experiments swap versions on the same
        // prompt without this section changing.
        for (PromptConfig.Version version : prompt.versions().values()) {
            Set<String> unknown = variables(version);
            unknown.removeAll(RUBRIC_VARIABLES);
            if (!unknown.isEmpty()) {
                problems.error(rubric.origin(), "version " + version.number() + " of prompt '" + prompt.id()
                        + "' reads " + String.join(", ", unknown) + "; a rubric is rendered with "
                        + String.join(", ", RUBRIC_VARIABLES) + " only");
            }
        }
    }

    /** The variables a version reads; read from its parts, since a version with problems does not compile. */
    private static Set<String> variables(PromptConfig.Version version) {
        var names = new TreeSet<String>();
        if (version.system() != null) {
            names.addAll(version.system().variables());
        }
        version.messages().forEach(m -> names.addAll(m.content().variables()));
        return names;
    }
}
