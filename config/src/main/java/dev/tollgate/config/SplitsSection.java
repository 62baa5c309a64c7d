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
 * Its sticky choices and weights are also those of experiments' arms ({@link ExperimentsSection}).
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

    /** The {@code sticky} choice of a split or an experiment; {@link Split.Sticky#KEY} when absent or unusable. */
    static Split.Sticky sticky(MappingReader s, Diagnostics problems) {
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
        boolean usable = true;
        for (YamlNode.Entry entry : s.requiredEntries("variants", "a split needs at least one variant")) {
            String variantPath = Origin.keyPath(s.path("variants"), entry.key());
            int weight = weight(entry.value(), variantPath, problems);
            if (weight < 0) {
                usable = false;
                continue;
            }
            variants.add(new SplitConfig.Variant(entry.key(), entry.origin(variantPath), weight));
        }
        if (usable) {
            requireSomeWeight(variants.stream().map(SplitConfig.Variant::weight).toList(), s.origin("variants"),
                    "variant", problems);
        }
        return variants;
    }

    /**
     * The weight at {@code path} of a split's variant or an experiment's arm: 0 (switched off) to the largest
     * deployment weight; -1 when unusable (reported).
     */
    static int weight(YamlNode node, String path, Diagnostics problems) {
        YamlNode.Scalar scalar = MappingReader.itemScalar(node, path, "a weight", problems);
        if (scalar == null) {
            return -1;
        }
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

    /**
     * Reports {@code at} when there are weights and they add up to 0: nothing could ever be drawn. {@code what} names
     * one weighted choice ("variant", "arm").
     */
    static void requireSomeWeight(List<Integer> weights, Origin at, String what, Diagnostics problems) {
        if (!weights.isEmpty() && weights.stream().mapToLong(Integer::longValue).sum() == 0) {
            problems.error(at, "the weights add up to 0: at least one " + what + " needs a weight");
        }
    }
}
