package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.routing.Split;
import dev.tollgate.core.routing.StickyDraw;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The prompts and experiments of one config. Read by a request that names a prompt: {@link #choose} resolves the
 * reference, and when an experiment splits the label the request reached, assigns the request to an arm.
 *
 * @param prompts by id, in config order
 * @param experiments by name, in config order; at most one per prompt and label
 */
public record PromptRegistry(Map<String, Prompt> prompts, Map<String, Experiment> experiments) {
    public static final PromptRegistry EMPTY = new PromptRegistry(Map.of(), Map.of());
    /**
     * Before an experiment's name in its draw's salt. A split is salted with its bare name, and names cannot hold a
     * ':', so an experiment and a split of the same name still assign callers independently.
     */
    private static final String SALT_PREFIX = "prompt-experiment:";

    public PromptRegistry {
        prompts = Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
        experiments = Collections.unmodifiableMap(new LinkedHashMap<>(experiments));
        var seen = new HashMap<String, String>();
        for (Experiment e : experiments.values()) {
            Prompt p = prompts.get(e.prompt());
            if (p == null) {
                throw new IllegalArgumentException("experiment " + e.name() + " names no prompt of this registry");
            }
            if (!p.labels().containsKey(e.label())) {
                throw new IllegalArgumentException("experiment " + e.name() + " splits label " + e.label()
                        + ", which prompt " + p.id() + " does not have");
            }
            for (Experiment.Arm arm : e.arms()) {
                if (arm.version() != null && p.version(arm.version()) == null) {
                    throw new IllegalArgumentException("arm " + arm.name() + " of experiment " + e.name()
                            + " names version " + arm.version() + ", which prompt " + p.id() + " does not have");
                }
            }
            String earlier = seen.putIfAbsent(e.prompt() + "@" + e.label(), e.name());
            if (earlier != null) {
                throw new IllegalArgumentException("experiments " + earlier + " and " + e.name() + " both split "
                        + e.prompt() + "@" + e.label());
            }
        }
    }

    public boolean isEmpty() {
        return prompts.isEmpty();
    }

    /**
     * The version a request renders.
     *
     * @param key the caller's key name, or null
     * @param user the end user the request names, or null
     * @throws GatewayException a 404 {@code prompt_not_found} for an unknown prompt, label or version
     */
    public PromptChoice choose(PromptRef ref, String key, String user, RandomGenerator random) {
        Prompt prompt = prompts.get(ref.id());
        if (prompt == null) {
            // Like an unknown model, an unknown prompt names no others: a key may not list the registry.
            throw notFound("No prompt '" + ref.id() + "' is defined.");
        }
        if (ref.version() != null) {
            PromptVersion version = prompt.version(ref.version());
            if (version == null) {
                throw notFound("Prompt '" + prompt.id() + "' has no version " + ref.version() + "; it has "
                        + String.join(", ", first(prompt.versions().keySet().stream().map(String::valueOf).toList(),
                                20)) + ".");
            }
            return new PromptChoice(prompt, version, null, new PromptUse(prompt.id(), version.number(), null, null,
                    null));
        }
        String label = ref.label() != null ? ref.label() : Prompt.DEFAULT_LABEL;
        Integer number = prompt.labels().get(label);
        if (number == null) {
            if (ref.label() != null) {
                throw notFound("Prompt '" + prompt.id() + "' has no label '" + label + "'"
                        + (prompt.labels().isEmpty() ? "." : "; it has " + String.join(", ", prompt.labels().keySet())
                                + "."));
            }
            PromptVersion latest = prompt.latest();
            return new PromptChoice(prompt, latest, null, new PromptUse(prompt.id(), latest.number(), null, null,
                    null));
        }
        Experiment experiment = experiment(prompt.id(), label);
        if (experiment == null) {
            return new PromptChoice(prompt, prompt.version(number), null,
                    new PromptUse(prompt.id(), number, label, null, null));
        }
        String caller = experiment.sticky() == Split.Sticky.USER && user != null ? user : key;
        Experiment.Arm arm = StickyDraw.pick(experiment.arms(), Experiment.Arm::weight,
                SALT_PREFIX + experiment.name(), caller, random);
        int armVersion = arm.version() != null ? arm.version() : number;
        return new PromptChoice(prompt, prompt.version(armVersion), arm.model(),
                new PromptUse(prompt.id(), armVersion, label, experiment.name(), arm.name()));
    }

    /** The experiment splitting {@code label} of prompt {@code id}, or null. */
    public Experiment experiment(String id, String label) {
        for (Experiment e : experiments.values()) {
            if (e.prompt().equals(id) && e.label().equals(label)) {
                return e;
            }
        }
        return null;
    }

    /**
     * The versions this registry and {@code previous} both have but with other content: versions are immutable,
     * so a config holding any is refused.
     *
     * @return {@code <id>@<version>} of each, in this registry's order
     */
    public List<String> editedVersions(PromptRegistry previous) {
        var edited = new ArrayList<String>();
        for (Prompt p : prompts.values()) {
            Prompt before = previous.prompts().get(p.id());
            if (before == null) {
                continue;
            }
            for (PromptVersion v : p.versions().values()) {
                PromptVersion old = before.version(v.number());
                if (old != null && !old.sameContent(v)) {
                    edited.add(p.id() + "@" + v.number());
                }
            }
        }
        return edited;
    }

    private static List<String> first(Collection<String> names, int most) {
        return names.stream().limit(most).toList();
    }

    private static GatewayException notFound(String message) {
        return new GatewayException(new GatewayError(ErrorKind.NOT_FOUND, 404, message, "prompt", "prompt_not_found",
                null));
    }
}
