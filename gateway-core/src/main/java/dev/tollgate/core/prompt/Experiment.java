package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.Split;
import java.util.List;

/**
 * An A/B test on a prompt: the requests that would render label {@code label} of prompt {@code prompt} are
 * assigned, stickily and by weight, to one of the arms. A request that pins a version or names another label is
 * not in the experiment: it asked for something definite.
 *
 * @param name recorded with every request it assigns, as {@code <name>/<arm>}
 * @param label the label whose traffic is split ({@link Prompt#DEFAULT_LABEL} unless the config says otherwise)
 */
public record Experiment(String name, String prompt, String label, Split.Sticky sticky, List<Arm> arms) {
    /**
     * One arm.
     *
     * @param version the prompt version its requests render, or null for the version the label points at
     * @param model the model group its requests go to, or null for the one the request or the version names
     */
    public record Arm(String name, Integer version, String model, int weight) {
        public Arm {
            requireNonNull(name, "name");
            if (weight < 0) {
                throw new IllegalArgumentException("an arm's weight cannot be negative");
            }
            if (version == null && model == null) {
                throw new IllegalArgumentException("arm " + name + " changes neither the version nor the model");
            }
        }
    }

    public Experiment {
        requireNonNull(name, "name");
        requireNonNull(prompt, "prompt");
        requireNonNull(label, "label");
        requireNonNull(sticky, "sticky");
        arms = List.copyOf(arms);
        if (arms.stream().mapToInt(Arm::weight).sum() <= 0) {
            throw new IllegalArgumentException("experiment " + name + " has no weight");
        }
    }

    /** The arm of this name, or null. */
    public Arm arm(String armName) {
        for (Arm a : arms) {
            if (a.name().equals(armName)) {
                return a;
            }
        }
        return null;
    }
}
