package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

/**
 * Which prompt a request rendered: recorded in its ledger row, access-log line and metrics.
 *
 * @param version the version rendered
 * @param label the label it was reached through, or null when the request pinned a version (or the prompt has no
 *     default label and the newest version served)
 * @param experiment the experiment that assigned it, or null
 * @param arm the experiment's arm, or null
 */
public record PromptUse(String id, int version, String label, String experiment, String arm) {
    public PromptUse {
        requireNonNull(id, "id");
        if ((experiment == null) != (arm == null)) {
            throw new IllegalArgumentException("an experiment and its arm go together");
        }
    }

    /** {@code <experiment>/<arm>}, or null outside an experiment. */
    public String variant() {
        return experiment == null ? null : experiment + "/" + arm;
    }
}
