package dev.tollgate.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;

/**
 * Binds {@code shadow}: a share of one model's requests mirrored to another, whose answers are only measured.
 * Whether the models exist is left to {@link ConfigValidator}.
 */
final class ShadowSection {
    static final Set<String> KEYS = Set.of("model", "to", "percent");

    private ShadowSection() {}

    static List<ShadowConfig> bind(List<YamlNode> items, String path, Diagnostics problems) {
        var shadows = new ArrayList<ShadowConfig>();
        var byModel = new HashMap<String, Integer>();
        for (int i = 0; i < items.size(); i++) {
            MappingReader s = MappingReader.of(items.get(i), Origin.itemPath(path, i), KEYS, problems);
            String model = s.requiredString("model");
            String target = s.requiredString("to");
            Integer earlier = model == null ? null : byModel.putIfAbsent(model, i);
            if (earlier != null) {
                problems.error(s.origin("model"), "'" + model + "' is already shadowed by shadow[" + earlier
                        + "]; a model has one shadow");
            } else if (model != null && model.equals(target)) {
                problems.error(s.origin("to"), "a model cannot shadow itself");
            }
            s.requirePresent("percent");
            double percent = s.number("percent", 100, 0, 100);
            if (percent == 0) {
                problems.error(s.origin("percent"), "must be more than 0; remove the shadow to turn it off");
            }
            shadows.add(new ShadowConfig(model, s.origin("model"), target, s.origin("to"), percent / 100));
        }
        return shadows;
    }
}
