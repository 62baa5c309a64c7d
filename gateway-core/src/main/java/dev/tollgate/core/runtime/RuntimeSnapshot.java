package dev.tollgate.core.runtime;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.cache.CacheSettings;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.guard.GuardrailPolicy;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.quality.ReviewSettings;
import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.RoutingTable;
import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.routing.Split;
import dev.tollgate.core.routing.Tier;
import dev.tollgate.core.spi.ListedModel;
import dev.tollgate.core.spi.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything compiled from one config: read by a request for its whole life, replaced whole on reload.
 *
 * @param source where it came from (a file path, or {@code built-in demo})
 * @param models public model name to group, in config order
 * @param access keys, teams and budgets; {@link AccessPolicy#OPEN} when the config defines none
 * @param prices the config's price overrides in USD per million tokens, keyed as written (an upstream model name,
 *     or {@code <provider id>/<upstream model>} for one provider's deployments only), in config order; the server
 *     lays them over its built-in price table
 * @param storage where the ledger and shared counters live; changes take effect at the next restart only
 * @param routing tiers, automatic tier selection, splits, shadows and resilience settings
 * @param cache the response cache's size and each model group's policy
 * @param tracing whether requests are traced, how many, and where spans go
 * @param metrics what the metrics export may label
 * @param review which requests are sampled for review, and how they are kept
 * @param prompts the prompt registry and its experiments
 * @param guardrails the guardrails and the model groups, keys and teams they are attached to
 * @param evaluation the evaluators that score sampled requests in the background
 */
public record RuntimeSnapshot(
        String source,
        ServerSettings server,
        Map<String, Provider> providers,
        Map<String, ModelGroup> models,
        AccessPolicy access,
        Map<String, Price> prices,
        StorageSettings storage,
        RoutingTable routing,
        CacheSettings cache,
        TraceSettings tracing,
        MetricsSettings metrics,
        ReviewSettings review,
        PromptRegistry prompts,
        GuardrailPolicy guardrails,
        EvaluationSettings evaluation) {
    public RuntimeSnapshot {
        requireNonNull(source, "source");
        requireNonNull(server, "server");
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        requireNonNull(access, "access");
        prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
        requireNonNull(storage, "storage");
        requireNonNull(routing, "routing");
        requireNonNull(cache, "cache");
        requireNonNull(tracing, "tracing");
        requireNonNull(metrics, "metrics");
        requireNonNull(review, "review");
        requireNonNull(prompts, "prompts");
        requireNonNull(guardrails, "guardrails");
        requireNonNull(evaluation, "evaluation");
    }

    /** The group for a public model name, or null. */
    public ModelGroup model(String name) {
        return models.get(name);
    }

    /**
     * Every name a client may send as its model, in config order: the model groups, then the tiers (chat), the
     * automatic-tier aliases (chat), and the splits whose name is not already a group (with the operation of the
     * models they split between).
     */
    public List<ListedModel> listedModels() {
        List<ListedModel> listed = new ArrayList<>(models.size() + routing.tiers().size());
        for (ModelGroup group : models.values()) {
            listed.add(new ListedModel(group.name(), group.operation()));
        }
        for (String tier : routing.tiers().keySet()) {
            listed.add(new ListedModel(Tier.PREFIX + tier, Operation.CHAT));
        }
        for (String alias : routing.autoTier().aliases()) {
            listed.add(new ListedModel(alias, Operation.CHAT));
        }
        for (Split split : routing.splits().values()) {
            ModelGroup first = models.get(split.variants().getFirst().model());
            if (!models.containsKey(split.model()) && first != null) {
                listed.add(new ListedModel(split.model(), first.operation()));
            }
        }
        return listed;
    }
}
