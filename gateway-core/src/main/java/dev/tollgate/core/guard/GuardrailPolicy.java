package dev.tollgate.core.guard;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config's guardrails and where they are attached: to model groups, keys and teams. A request gets the union of
 * its model group's, its key's and its key's team's, each once, in the order the config defines the guardrails.
 * Immutable; part of the runtime snapshot.
 *
 * @param guardrails name to guardrail, in config order
 * @param models model group name to the names of its guardrails
 * @param keys key name to the names of its guardrails
 * @param teams team name to the names of its guardrails
 */
public record GuardrailPolicy(Map<String, Guardrail> guardrails, Map<String, List<String>> models,
                              Map<String, List<String>> keys, Map<String, List<String>> teams) {
    public static final GuardrailPolicy NONE = new GuardrailPolicy(Map.of(), Map.of(), Map.of(), Map.of());

    public GuardrailPolicy {
        guardrails = Collections.unmodifiableMap(new LinkedHashMap<>(guardrails));
        models = copy(models, guardrails);
        keys = copy(keys, guardrails);
        teams = copy(teams, guardrails);
    }

    /** Whether any guardrail is attached anywhere: when not, a request pays one map look-up at most. */
    public boolean active() {
        return !models.isEmpty() || !keys.isEmpty() || !teams.isEmpty();
    }

    /**
     * The guardrails for a request to {@code model} by {@code key} of {@code team} (each null when there is none).
     */
    public GuardSet forRequest(String model, String key, String team) {
        if (!active()) {
            return GuardSet.NONE;
        }
        List<String> byModel = model == null ? null : models.get(model);
        List<String> byKey = key == null ? null : keys.get(key);
        List<String> byTeam = team == null ? null : teams.get(team);
        if (byModel == null && byKey == null && byTeam == null) {
            return GuardSet.NONE;
        }
        List<Guardrail> chosen = new ArrayList<>(4);
        for (Guardrail g : guardrails.values()) {
            String name = g.name();
            if ((byModel != null && byModel.contains(name)) || (byKey != null && byKey.contains(name))
                    || (byTeam != null && byTeam.contains(name))) {
                chosen.add(g);
            }
        }
        return new GuardSet(chosen);
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> attached,
                                                  Map<String, Guardrail> guardrails) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (var e : attached.entrySet()) {
            requireNonNull(e.getKey(), "attachment owner");
            for (String name : e.getValue()) {
                if (!guardrails.containsKey(name)) {
                    throw new IllegalArgumentException("'" + e.getKey() + "' names unknown guardrail '" + name + "'");
                }
            }
            if (!e.getValue().isEmpty()) {
                out.put(e.getKey(), List.copyOf(e.getValue()));
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
