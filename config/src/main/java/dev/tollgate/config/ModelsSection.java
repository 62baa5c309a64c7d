package dev.tollgate.config;

import dev.tollgate.core.spi.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds the {@code models} section: public model names, what each serves, and its weighted deployments with their
 * rate limits. Checks within one model are made here; whether a deployment's provider exists is left to
 * {@link ConfigValidator}.
 */
final class ModelsSection {
    static final Set<String> KEYS = Set.of("mode", "deployments");
    static final Set<String> DEPLOYMENT_KEYS = Set.of("provider", "model", "weight", "limits");
    /** Modes by the name the file uses, in documentation order. */
    static final Map<String, Operation> MODES;
    /** Clients send this name to have the gateway choose a model by tier, so no model may take it. */
    static final String RESERVED_NAME = "auto";
    static final int MAX_NAME_LENGTH = 256;
    /** Keeps a group's total weight far from int overflow even with thousands of deployments. */
    static final int MAX_WEIGHT = 10_000;

    static {
        var modes = new LinkedHashMap<String, Operation>();
        modes.put("chat", Operation.CHAT);
        modes.put("embeddings", Operation.EMBEDDINGS);
        MODES = Collections.unmodifiableMap(modes);
    }

    private ModelsSection() {}

    static Map<String, ModelConfig> bind(List<YamlNode.Entry> entries, String path, Diagnostics problems) {
        var models = new LinkedHashMap<String, ModelConfig>();
        for (YamlNode.Entry entry : entries) {
            String modelPath = Origin.keyPath(path, entry.key());
            checkName(entry, modelPath, problems);
            models.put(entry.key(), model(entry, modelPath, problems));
        }
        return models;
    }

    private static void checkName(YamlNode.Entry entry, String path, Diagnostics problems) {
        String name = entry.key();
        String wrong = null;
        if (name.isBlank()) {
            wrong = "a model name cannot be empty";
        } else if (name.length() > MAX_NAME_LENGTH) {
            wrong = "a model name is at most " + MAX_NAME_LENGTH + " characters";
        } else if (name.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            wrong = "a model name cannot contain spaces or control characters";
        } else if (name.equals(RESERVED_NAME)) {
            wrong = "'" + RESERVED_NAME + "' is reserved: clients send it to let the gateway pick a model";
        }
        if (wrong != null) {
            problems.error(entry.origin(path), wrong);
        }
    }

    private static ModelConfig model(YamlNode.Entry entry, String path, Diagnostics problems) {
        MappingReader m = MappingReader.of(entry.value(), path, KEYS, problems);
        Operation operation = Operation.CHAT;
        String mode = m.string("mode");
        if (mode != null) {
            operation = MODES.get(mode);
            if (operation == null) {
                problems.error(m.origin("mode"), "unknown mode '" + mode + "'"
                        + Suggestion.didYouMean(mode, MODES.keySet())
                        + "; expected " + String.join(" or ", MODES.keySet()));
                operation = Operation.CHAT;
            }
        }
        List<YamlNode> items = m.requiredItems("deployments", "a model needs at least one deployment");
        var deployments = new ArrayList<DeploymentConfig>();
        var seen = new HashMap<String, Integer>();
        for (YamlNode item : items) {
            String itemPath = Origin.itemPath(m.path("deployments"), deployments.size());
            DeploymentConfig deployment = deployment(item, itemPath, entry.key(), problems);
            Integer earlier = seen.putIfAbsent(deployment.provider() + "/" + deployment.model(), deployments.size());
            if (earlier != null && deployment.provider() != null) {
                problems.error(deployment.origin(), "same provider and model as deployments[" + earlier
                        + "]; give that one more weight instead");
            }
            deployments.add(deployment);
        }
        return new ModelConfig(entry.key(), entry.origin(path), operation, deployments);
    }

    private static DeploymentConfig deployment(YamlNode item, String path, String publicName, Diagnostics problems) {
        MappingReader d = MappingReader.of(item, path, DEPLOYMENT_KEYS, problems);
        String provider = d.requiredString("provider");
        String model = d.string("model");
        if (model != null && model.isBlank()) {
            problems.error(d.origin("model"), "an upstream model name cannot be empty");
        }
        return new DeploymentConfig(
                d.origin(),
                provider,
                d.origin("provider"),
                model == null ? publicName : model,
                d.integer("weight", 1, 1, MAX_WEIGHT),
                QuotaSection.limits(d.child("limits", QuotaSection.LIMIT_KEYS)));
    }
}
