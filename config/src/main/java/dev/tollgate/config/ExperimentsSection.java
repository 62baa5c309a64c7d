package dev.tollgate.config;

import dev.tollgate.core.prompt.Prompt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds {@code experiments}: A/B tests on a prompt's label, assigning the requests that reach it, stickily and by
 * weight, to arms that change the version, the model or both. Whether the prompt, its label and the arms' versions
 * and models exist is left to {@link PromptsValidator}.
 */
final class ExperimentsSection {
    static final Set<String> KEYS = Set.of("prompt", "label", "sticky", "arms");
    static final Set<String> ARM_KEYS = Set.of("version", "model", "weight");

    private ExperimentsSection() {}

    static Map<String, ExperimentConfig> bind(List<YamlNode.Entry> entries, String path, Diagnostics problems) {
        var experiments = new LinkedHashMap<String, ExperimentConfig>();
        for (YamlNode.Entry entry : entries) {
            String experimentPath = Origin.keyPath(path, entry.key());
            TeamsSection.checkName(entry.origin(experimentPath), "experiment", entry.key(), problems);
            MappingReader e = MappingReader.of(entry.value(), experimentPath, KEYS, problems);
            String label = e.string("label");
            experiments.put(entry.key(), new ExperimentConfig(entry.key(), entry.origin(experimentPath),
                    e.requiredString("prompt"), e.origin("prompt"), label == null ? Prompt.DEFAULT_LABEL : label,
                    e.origin("label"), SplitsSection.sticky(e, problems), arms(e, problems)));
        }
        return experiments;
    }

    private static List<ExperimentConfig.Arm> arms(MappingReader e, Diagnostics problems) {
        var arms = new ArrayList<ExperimentConfig.Arm>();
        boolean usable = true;
        for (YamlNode.Entry entry : e.requiredEntries("arms", "an experiment needs at least one arm")) {
            String armPath = Origin.keyPath(e.path("arms"), entry.key());
            Origin at = entry.origin(armPath);
            TeamsSection.checkName(at, "arm", entry.key(), problems);
            MappingReader a = MappingReader.of(entry.value(), armPath, ARM_KEYS, problems);
            Integer version = a.has("version")
                    ? PromptsSection.versionNumber(a.value("version"), a.path("version"), problems) : null;
            String model = a.string("model");
            a.requirePresent("weight");
            int weight = a.has("weight") ? SplitsSection.weight(a.value("weight"), a.path("weight"), problems) : -1;
            if (a.readable() && !a.has("version") && !a.has("model")) {
                problems.error(at, "an arm sets a version, a model or both; this one would change nothing");
            }
            // An unusable version or weight is already reported; the arm stays so that its model is checked too.
            usable &= weight >= 0;
            arms.add(new ExperimentConfig.Arm(entry.key(), at, version != null && version < 0 ? null : version,
                    a.origin("version"), model, a.origin("model"), Math.max(weight, 0)));
        }
        if (usable) {
            SplitsSection.requireSomeWeight(arms.stream().map(ExperimentConfig.Arm::weight).toList(), e.origin("arms"),
                    "arm", problems);
        }
        return arms;
    }
}
