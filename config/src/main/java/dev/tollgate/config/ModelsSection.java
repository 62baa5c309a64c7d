package dev.tollgate.config;

import dev.tollgate.core.routing.Strategy;
import dev.tollgate.core.routing.Tier;
import dev.tollgate.core.spi.Operation;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds the {@code models} section: public model names, what each serves, its deployments (weight, priority,
 * tags, limits), and how it routes among them (strategy, route rules, fallbacks). Checks within one model are made
 * here, including that every route rule selects one of its deployments; whether a deployment's provider and a
 * fallback's model exist is left to {@link ConfigValidator}.
 */
final class ModelsSection {
    static final Set<String> KEYS = Set.of(
            "mode", "strategy", "deployments", "rules", "fallbacks", "context_fallbacks", "content_fallbacks", "cache",
            "review", GuardrailsSection.ATTACH);
    static final Set<String> DEPLOYMENT_KEYS = Set.of(
            "provider", "model", "weight", "priority", "context_window", "tags", "load_metrics", "limits");
    static final Set<String> RULE_KEYS = Set.of("name", "when", "tags");
    /** Modes by the name the file uses, in documentation order. */
    static final Map<String, Operation> MODES;
    /** Strategies by the name the file uses, the default first. */
    static final Map<String, Strategy> STRATEGIES;
    /** Every deployment carries this tag, set to its provider id; a route rule may select by it. */
    static final String PROVIDER_TAG = "provider";
    /** Tag names: they are matched by route rules and may become metric labels, so plain lower-case words. */
    static final String TAG_NAME_PATTERN = "^[a-z0-9_.-]+$";
    static final int MAX_TAGS = 16;
    static final int MAX_PRIORITY = 1000;
    /** Far above any model's context window, so a stray extra digit is still caught. */
    static final long MAX_CONTEXT_WINDOW = 100_000_000;
    /** Clients send this name to have the gateway choose a model by tier, so no model may take it. */
    static final String RESERVED_NAME = "auto";
    static final int MAX_NAME_LENGTH = 256;
    /** Keeps a group's total weight far from int overflow even with thousands of deployments. */
    static final int MAX_WEIGHT = 10_000;

    private static final Pattern TAG_NAME = Pattern.compile(TAG_NAME_PATTERN);

    static {
        var modes = new LinkedHashMap<String, Operation>();
        modes.put("chat", Operation.CHAT);
        modes.put("embeddings", Operation.EMBEDDINGS);
        MODES = Collections.unmodifiableMap(modes);
        var strategies = new LinkedHashMap<String, Strategy>();
        for (Strategy strategy : Strategy.values()) {
            strategies.put(strategy.name().toLowerCase(Locale.ROOT), strategy);
        }
        STRATEGIES = Collections.unmodifiableMap(strategies);
    }

    private ModelsSection() {}

    /** @param ledger whether {@code storage.ledger} is set (a model's review samples are kept there) */
    static Map<String, ModelConfig> bind(List<YamlNode.Entry> entries, String path, boolean ledger,
                                         Diagnostics problems) {
        var models = new LinkedHashMap<String, ModelConfig>();
        for (YamlNode.Entry entry : entries) {
            String modelPath = Origin.keyPath(path, entry.key());
            checkName(entry, modelPath, problems);
            models.put(entry.key(), model(entry, modelPath, ledger, problems));
        }
        return models;
    }

    private static void checkName(YamlNode.Entry entry, String path, Diagnostics problems) {
        String name = entry.key();
        String wrong = nameProblem(name);
        if (wrong == null && name.equals(RESERVED_NAME)) {
            wrong = "'" + RESERVED_NAME + "' is reserved: clients send it to let the gateway pick a model";
        }
        if (wrong != null) {
            problems.error(entry.origin(path), wrong);
        }
    }

    /**
     * What is wrong with {@code name} as a name clients send in {@code model} (a model's, a split's, an
     * automatic-tier alias), or null when nothing is.
     */
    static String nameProblem(String name) {
        if (name.isBlank()) {
            return "a model name cannot be empty";
        } else if (name.length() > MAX_NAME_LENGTH) {
            return "a model name is at most " + MAX_NAME_LENGTH + " characters";
        } else if (name.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return "a model name cannot contain spaces or control characters";
        } else if (name.startsWith(Tier.PREFIX)) {
            return "a model name cannot start with '" + Tier.PREFIX + "': clients address tiers that way";
        }
        return null;
    }

    private static ModelConfig model(YamlNode.Entry entry, String path, boolean ledger, Diagnostics problems) {
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
        var rules = new ArrayList<RouteRuleConfig>();
        List<YamlNode> ruleItems = m.items("rules", null);
        for (int i = 0; ruleItems != null && i < ruleItems.size(); i++) {
            rules.add(rule(ruleItems.get(i), m.path("rules"), i, entry.key(), deployments, problems));
        }
        var fallbacks = new FallbacksConfig(
                m.names("fallbacks", "model", null),
                m.names("context_fallbacks", "model", null),
                m.names("content_fallbacks", "model", null));
        if (operation != Operation.CHAT) {
            m.forbid("cache", "on an embeddings model: the response cache serves chat models only");
            m.forbid("review", "on an embeddings model: review sampling keeps chat requests only");
            m.forbid(GuardrailsSection.ATTACH, "on an embeddings model: guardrails screen chat requests only");
        }
        boolean chat = operation == Operation.CHAT;
        return new ModelConfig(entry.key(), entry.origin(path), operation, deployments, strategy(m, problems),
                rules, fallbacks, chat ? CacheSection.bindModel(m, problems) : null,
                chat ? ReviewSection.bindModel(m, ledger, problems) : null);
    }

    private static Strategy strategy(MappingReader m, Diagnostics problems) {
        String name = m.string("strategy");
        if (name == null) {
            return Strategy.WEIGHTED;
        }
        Strategy strategy = STRATEGIES.get(name);
        if (strategy == null) {
            problems.error(m.origin("strategy"), "unknown strategy '" + name + "'"
                    + Suggestion.didYouMean(name, STRATEGIES.keySet())
                    + "; expected one of " + String.join(", ", STRATEGIES.keySet()));
            return Strategy.WEIGHTED;
        }
        return strategy;
    }

    private static RouteRuleConfig rule(YamlNode item, String path, int index, String model,
            List<DeploymentConfig> deployments, Diagnostics problems) {
        MappingReader r = MappingReader.of(item, Origin.itemPath(path, index), RULE_KEYS, problems);
        String name = ruleName(r, index, problems);
        WhenConfig when = ConditionSection.bind(r, "when", problems);
        r.requirePresent("tags");
        Map<String, String> tags = tags(r, true, problems);
        if (r.has("tags") && tags.isEmpty()) {
            problems.error(r.origin("tags"), "a rule needs at least one tag to select deployments by");
        } else if (!tags.isEmpty() && deployments.stream().noneMatch(d -> selects(tags, d))) {
            problems.error(r.origin("tags"), "selects no deployment of '" + model + "': none carries "
                    + String.join(", ", tags.entrySet().stream().map(t -> t.getKey() + "=" + t.getValue()).toList()));
        }
        return new RouteRuleConfig(name, when, tags);
    }

    /**
     * The {@code name} of a rule, which names it in the access log and response headers; {@code rules[<index>]}
     * when the file gives none.
     */
    static String ruleName(MappingReader r, int index, Diagnostics problems) {
        String name = r.string("name");
        if (name == null) {
            return Origin.itemPath("rules", index);
        }
        TeamsSection.checkName(r.origin("name"), "rule", name, problems);
        return name;
    }

    private static boolean selects(Map<String, String> tags, DeploymentConfig deployment) {
        return tags.entrySet().stream().allMatch(t -> t.getValue().equals(deployment.tag(t.getKey())));
    }

    /**
     * The {@code tags} of a deployment or a rule, in file order. A rule may select by the implicit {@code provider}
     * tag; a deployment may not set it ({@code forRule} false), since its provider already does.
     */
    private static Map<String, String> tags(MappingReader parent, boolean forRule, Diagnostics problems) {
        var tags = new LinkedHashMap<String, String>();
        List<YamlNode.Entry> entries = parent.entries("tags");
        if (entries.size() > MAX_TAGS) {
            problems.error(parent.origin("tags"), "at most " + MAX_TAGS + " tags, found " + entries.size());
            return tags;
        }
        for (YamlNode.Entry entry : entries) {
            String tagPath = Origin.keyPath(parent.path("tags"), entry.key());
            String wrong = null;
            if (!TAG_NAME.matcher(entry.key()).matches()) {
                wrong = "tag name '" + entry.key() + "' must use only a-z, 0-9, '_', '.' and '-'";
            } else if (!forRule && entry.key().equals(PROVIDER_TAG)) {
                wrong = "'" + PROVIDER_TAG + "' is implicit: every deployment carries provider=<its provider id>";
            }
            if (wrong != null) {
                problems.error(entry.origin(tagPath), wrong);
                continue;
            }
            YamlNode.Scalar value = MappingReader.itemScalar(entry.value(), tagPath, "a single value", problems);
            if (value == null) {
                continue;
            }
            if (value.text().isEmpty() || value.text().length() > MappingReader.MAX_LABEL_CHARS) {
                problems.error(value.origin(tagPath), "a tag value is 1 to " + MappingReader.MAX_LABEL_CHARS
                        + " characters");
            } else {
                tags.put(entry.key(), value.text());
            }
        }
        return tags;
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
                QuotaSection.limits(d.child("limits", QuotaSection.LIMIT_KEYS)),
                d.integer("priority", 0, 0, MAX_PRIORITY),
                d.wholeNumber("context_window", 0, 1, MAX_CONTEXT_WINDOW),
                tags(d, false, problems),
                d.parsed("load_metrics", null, ModelsSection::loadMetrics, "expected an http or https URL"));
    }

    /** A self-hosted server's Prometheus endpoint, such as vLLM's {@code /metrics}. */
    static URI loadMetrics(String text) {
        return HttpUrlSyntax.parse(text, "http://vllm-1:8000/metrics", "no credentials in it: load metrics are fetched without any");
    }
}
