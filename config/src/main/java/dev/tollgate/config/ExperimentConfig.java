package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.prompt.Experiment;
import dev.tollgate.core.routing.Split;
import java.util.List;

/**
 * One entry of {@code experiments} as written. Whether its prompt, label, versions and models exist is a
 * cross-section check ({@link PromptsValidator}).
 *
 * @param prompt the prompt it splits; null when missing (such a config is never compiled)
 * @param label the label whose traffic it splits, the default one when none is written
 * @param labelOrigin where the label is written, or the experiment's mapping when it is not
 * @param arms in file order
 */
record ExperimentConfig(String name, Origin origin, String prompt, Origin promptOrigin, String label,
        Origin labelOrigin, Split.Sticky sticky, List<Arm> arms) {
    ExperimentConfig {
        requireNonNull(name, "name");
        requireNonNull(origin, "origin");
        requireNonNull(promptOrigin, "promptOrigin");
        requireNonNull(label, "label");
        requireNonNull(labelOrigin, "labelOrigin");
        requireNonNull(sticky, "sticky");
        arms = List.copyOf(arms);
    }

    /**
     * @param version null for the version the label points at
     * @param model null for the model the request or the version names
     */
    record Arm(String name, Origin origin, Integer version, Origin versionOrigin, String model, Origin modelOrigin,
            int weight) {
        Arm {
            requireNonNull(name, "name");
            requireNonNull(origin, "origin");
            requireNonNull(versionOrigin, "versionOrigin");
            requireNonNull(modelOrigin, "modelOrigin");
        }
    }

    Experiment compile() {
        return new Experiment(name, prompt, label, sticky, arms.stream()
                .map(a -> new Experiment.Arm(a.name(), a.version(), a.model(), a.weight())).toList());
    }
}
