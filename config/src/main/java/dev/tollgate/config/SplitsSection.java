package dev.tollgate.config;

import dev.tollgate.core.routing.Split;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds {@code splits}: weighted A/B tests and canaries, each taking over one public model name and assigning its
 * callers, stickily, to one of several model groups. Whether those groups exist is left to {@link ConfigValidator}.
 */
final class SplitsSection {
    static final Set<String> KEYS = Set.of("model", "sticky", "variants");
    /** Sticky choices by the name the file uses, the default first. */
    static final Map<String, Split.Sticky> STICKY;

    static {
        var sticky = new LinkedHashMap<String, Split.Sticky>();
        for (Split.Sticky choice : Split.Sticky.values()) {
            sticky.put(choice.name().toLowerCase(Locale.ROOT), choice);
        }
        STICKY = Collections.unmodifiableMap(sticky);
    }

    private SplitsSection() {}

    static Map<String, SplitConfig> bind(List<YamlNode.Entry> entries, String path, Diagnostics problems) {
        var splits = new LinkedHashMap<String, SplitConfig>();
        var byModel = new HashMap<String, String>();
        for (YamlNode.Entry entry : entries) {
            String splitPath = Origin.keyPath(path, entry.key());
            TeamsSection.checkName(entry.origin(splitPath), "split", entry.key(), problems);
            MappingReader s = MappingReader.of(entry.value(), splitPath, KEYS, problems);
            String model = s.requiredString("model");
            if (model != null) {
                String wrong = ModelsSection.nameProblem(model);
                String earlier = byModel.putIfAbsent(model, entry.key());
                if (wrong == null && model.equals(ModelsSection.RESERVED_NAME)) {
                    wrong = "'" + model + "' is reserved for automatic tier selection";
                } else if (wrong == null && earlier != null) {
                    wrong = "split '" + earlier + "' already takes over '" + model + "'; a model has one split";
                }
                if (wrong != null) {
                    problems.error(s.origin("model"), wrong);
                }
            }
            splits.put(entry.key(), new SplitConfig(entry.key(), entry.origin(splitPath), model, s.origin("model"),
                    sticky(s, problems), variants(s, problems)));
        }
        return splits;
    }

    private static Split.Sticky sticky(MappingReader s, Diagnostics problems) {
        String name = s.string("sticky");
        if (name == null) {
            return Split.Sticky.KEY;
        }
        Split.Sticky choice = STICKY.get(name);
        if (choice == null) {
            problems.error(s.origin("sticky"), "unknown choice '" + name + "'"
                    + Suggestion.didYouMean(name, STICKY.keySet()) + "; expected " + String.join(" or ", STICKY.keySet()));
            return Split.Sticky.KEY;
        }
        return choice;
    }

    private static List<SplitConfig.Variant> variants(MappingReader s, Diagnostics problems) {
        var variants = new ArrayList<SplitConfig.Variant>();
        long total = 0;
        boolean usable = true;
        for (YamlNode.Entry entry : s.requiredEntries("variants", "a split needs at least one variant")) {
            String variantPath = Origin.keyPath(s.path("variants"), entry.key());
            YamlNode.Scalar scalar = MappingReader.itemScalar(entry.value(), variantPath, "a weight", problems);
            int weight = scalar == null ? -1 : weight(scalar, variantPath, problems);
            if (weight < 0) {
                usable = false;
                continue;
            }
            total += weight;
            variants.add(new SplitConfig.Variant(entry.key(), entry.origin(variantPath), weight));
        }
        if (usable && !variants.isEmpty() && total == 0) {
            problems.error(s.origin("variants"), "the weights add up to 0: at least one variant needs a weight");
        }
        return variants;
    }

    /** A variant's weight, 0 (a variant switched off) to the largest deployment weight; -1 when unusable. */
    private static int weight(YamlNode.Scalar scalar, String path, Diagnostics problems) {
        if (scalar.kind() == YamlNode.Kind.INTEGER && scalar.text().matches("[+]?[0-9]{1,9}")) {
            int weight = Integer.parseInt(scalar.text());
            if (weight <= ModelsSection.MAX_WEIGHT) {
                return weight;
            }
        }
        problems.error(scalar.origin(path), "a weight is a whole number between 0 and " + ModelsSection.MAX_WEIGHT
                + ", got " + scalar.quoted());
        return -1;
    }
}
