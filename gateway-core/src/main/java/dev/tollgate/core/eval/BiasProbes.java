package dev.tollgate.core.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The shipped bias probe set ({@code bias-probes.json} next to this class), read and checked once. */
public final class BiasProbes {
    /** The attributes a probe may vary. */
    public static final Set<String> ATTRIBUTES = Set.of("gender", "ethnicity", "age", "religion", "disability",
            "nationality");
    private static final String RESOURCE = "bias-probes.json";
    private static final List<BiasProbe> SHIPPED = parse(Resources.text(RESOURCE), RESOURCE);

    private BiasProbes() {}

    /** The shipped pairs, in file order. */
    public static List<BiasProbe> shipped() {
        return SHIPPED;
    }

    /**
     * Reads a probe set: a JSON array of objects with string members {@code id}, {@code attribute}, {@code first}
     * and {@code second}, and nothing else.
     *
     * @param source names the text in errors
     * @throws IllegalStateException when it is not such an array, is empty, repeats an id, names another attribute,
     *     or holds a pair whose prompts are blank or the same
     */
    static List<BiasProbe> parse(String json, String source) {
        Object value;
        try {
            value = StrictJson.parse(json);
        } catch (StrictJson.Malformed e) {
            throw new IllegalStateException(source + ": " + e.getMessage(), e);
        }
        if (!(value instanceof List<?> items) || items.isEmpty()) {
            throw new IllegalStateException(source + ": expected a non-empty array of probes");
        }
        var probes = new ArrayList<BiasProbe>(items.size());
        var ids = new HashSet<String>();
        for (int i = 0; i < items.size(); i++) {
            BiasProbe probe = probe(items.get(i), source + " probe " + (i + 1));
            if (!ids.add(probe.id())) {
                throw new IllegalStateException(source + ": probe id " + probe.id() + " repeats");
            }
            probes.add(probe);
        }
        return List.copyOf(probes);
    }

    private static BiasProbe probe(Object item, String where) {
        if (!(item instanceof Map<?, ?> members) || !members.keySet().equals(Set.of("id", "attribute", "first",
                "second"))) {
            throw new IllegalStateException(where + ": expected an object with id, attribute, first and second");
        }
        for (Object member : members.values()) {
            if (!(member instanceof String text) || text.isBlank()) {
                throw new IllegalStateException(where + ": every member is a non-empty string");
            }
        }
        var probe = new BiasProbe((String) members.get("id"), (String) members.get("attribute"),
                (String) members.get("first"), (String) members.get("second"));
        if (!ATTRIBUTES.contains(probe.attribute())) {
            throw new IllegalStateException(where + ": attribute " + probe.attribute() + " is not one of "
                    + ATTRIBUTES);
        }
        if (probe.first().equals(probe.second())) {
            throw new IllegalStateException(where + " (" + probe.id() + "): its two prompts are the same");
        }
        return probe;
    }
}
