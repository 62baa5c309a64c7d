package dev.tollgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds {@code tiers} (named, ordered lists of models) and {@code auto_tier} (which tier a request for an alias
 * such as {@code auto} gets). Whether the names they use exist is left to {@link ConfigValidator}.
 */
final class TiersSection {
    static final Set<String> AUTO_TIER_KEYS = Set.of("aliases", "default", "rules");
    static final Set<String> RULE_KEYS = Set.of("name", "when", "tier");
    /** Tier names: clients send them as {@code tier:<name>} and in a header, so plain lower-case words. */
    static final String NAME_PATTERN = "^[a-z0-9_-]+$";
    static final int MAX_NAME_LENGTH = 64;
    /** The alias automatic selection answers to when {@code aliases} is not given. */
    static final String DEFAULT_ALIAS = ModelsSection.RESERVED_NAME;

    private static final Pattern NAME = Pattern.compile(NAME_PATTERN);

    private TiersSection() {}

    static Map<String, TierConfig> bind(List<YamlNode.Entry> entries, String path, Diagnostics problems) {
        var tiers = new LinkedHashMap<String, TierConfig>();
        for (YamlNode.Entry entry : entries) {
            String tierPath = Origin.keyPath(path, entry.key());
            Origin at = entry.origin(tierPath);
            if (entry.key().length() > MAX_NAME_LENGTH) {
                problems.error(at, "a tier name is at most " + MAX_NAME_LENGTH + " characters");
            } else if (!NAME.matcher(entry.key()).matches()) {
                problems.error(at, "tier name '" + entry.key() + "' must use only a-z, 0-9, '_' and '-'");
            }
            Map<String, Origin> models = Map.of();
            YamlNode value = entry.value();
            if (value instanceof YamlNode.Sequence list && !list.items().isEmpty()) {
                models = MappingReader.names(list.items(), tierPath, "model", problems);
            } else {
                problems.error(value.origin(tierPath), value instanceof YamlNode.Sequence
                        || value instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.NULL
                        ? "a tier needs at least one model"
                        : "expected a list of model names, got " + value.kindName());
            }
            tiers.put(entry.key(), new TierConfig(entry.key(), at, models));
        }
        return tiers;
    }

    /** The {@code auto_tier} section, or null when the file has none (automatic selection is off). */
    static AutoTierConfig autoTier(MappingReader file, Diagnostics problems) {
        if (!file.has("auto_tier")) {
            return null;
        }
        MappingReader a = file.child("auto_tier", AUTO_TIER_KEYS);
        Map<String, Origin> aliases = a.has("aliases")
                ? a.names("aliases", "alias", "automatic selection needs an alias; remove the key to use "
                        + DEFAULT_ALIAS)
                : Map.of(DEFAULT_ALIAS, a.origin());
        aliases.forEach((alias, at) -> {
            String wrong = ModelsSection.nameProblem(alias);
            if (wrong != null) {
                problems.error(at, wrong);
            }
        });
        String defaultTier = a.requiredString("default");
        var rules = new ArrayList<AutoTierConfig.Rule>();
        List<YamlNode> items = a.items("rules", null);
        for (int i = 0; items != null && i < items.size(); i++) {
            MappingReader r = MappingReader.of(items.get(i), Origin.itemPath(a.path("rules"), i), RULE_KEYS, problems);
            String name = ModelsSection.ruleName(r, i, problems);
            WhenConfig when = ConditionSection.bind(r, "when", problems);
            String tier = r.requiredString("tier");
            rules.add(new AutoTierConfig.Rule(name, when, tier, r.origin("tier")));
        }
        return new AutoTierConfig(a.origin(), aliases, defaultTier, a.origin("default"), rules);
    }
}
