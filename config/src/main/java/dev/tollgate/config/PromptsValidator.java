package dev.tollgate.config;

import java.util.HashMap;
import java.util.Map;

/**
 * The checks on {@code prompts} and {@code experiments} that span sections, run on a bound config: versions and
 * arms name models a client could send for chat, an experiment names a declared prompt, a label it has and versions
 * it has, and a prompt's label has at most one experiment.
 */
final class PromptsValidator {
    private PromptsValidator() {}

    static void check(TollgateConfig config, Diagnostics problems) {
        for (PromptConfig prompt : config.prompts().values()) {
            for (PromptConfig.Version version : prompt.versions().values()) {
                RoutingValidator.checkChatName(version.model(), version.modelOrigin(), "a prompt", config,
                        version.problems(problems));
            }
        }
        var byLabel = new HashMap<String, String>();
        for (ExperimentConfig experiment : config.experiments().values()) {
            PromptConfig prompt = prompt(experiment, config.prompts(), problems);
            for (ExperimentConfig.Arm arm : experiment.arms()) {
                RoutingValidator.checkChatName(arm.model(), arm.modelOrigin(), "an experiment", config, problems);
            }
            if (prompt == null || !hasLabel(experiment, prompt, problems)) {
                continue;
            }
            String split = prompt.id() + "@" + experiment.label();
            String earlier = byLabel.putIfAbsent(split, experiment.name());
            if (earlier != null) {
                problems.error(experiment.origin(), "experiment '" + earlier + "' already splits " + split
                        + "; a prompt's label has one experiment");
            }
            if (!prompt.versions().isEmpty()) {
                checkArms(experiment, prompt, problems);
            }
        }
    }

    /** The experiment's prompt, or null when it names none or (reported) an undeclared one. */
    private static PromptConfig prompt(ExperimentConfig experiment, Map<String, PromptConfig> prompts,
            Diagnostics problems) {
        String id = experiment.prompt();
        if (id == null) {
            return null;
        }
        PromptConfig prompt = prompts.get(id);
        if (prompt == null) {
            problems.error(experiment.promptOrigin(), "unknown prompt '" + id + "'" + (prompts.isEmpty()
                    ? "; declare it under prompts"
                    : Suggestion.didYouMean(id, prompts.keySet())));
        }
        return prompt;
    }

    private static boolean hasLabel(ExperimentConfig experiment, PromptConfig prompt, Diagnostics problems) {
        String label = experiment.label();
        if (prompt.labels().containsKey(label)) {
            return true;
        }
        problems.error(experiment.labelOrigin(), "prompt '" + prompt.id() + "' has no label '" + label + "'"
                + (prompt.labels().isEmpty()
                        ? "; give it one under prompts." + prompt.id() + ".labels"
                        : Suggestion.didYouMean(label, prompt.labels().keySet()) + "; it has "
                                + String.join(", ", prompt.labels().keySet())));
        return false;
    }

    /** The arms' versions exist; an arm's model that the version it renders already has is worth a warning. */
    private static void checkArms(ExperimentConfig experiment, PromptConfig prompt, Diagnostics problems) {
        int labelled = prompt.labels().get(experiment.label()).version();
        for (ExperimentConfig.Arm arm : experiment.arms()) {
            int number = arm.version() != null ? arm.version() : labelled;
            PromptConfig.Version version = prompt.versions().get(number);
            if (version == null && arm.version() != null) {
                problems.error(arm.versionOrigin(), "prompt '" + prompt.id() + "' has no version " + number
                        + "; it has " + PromptsSection.numbers(prompt.versions()));
            } else if (version != null && arm.model() != null && arm.model().equals(version.model())) {
                problems.warn(arm.modelOrigin(), "version " + number + " of prompt '" + prompt.id()
                        + "' already goes to '" + arm.model() + "', so this model changes nothing");
            }
        }
    }
}
