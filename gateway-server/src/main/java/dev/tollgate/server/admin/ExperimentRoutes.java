package dev.tollgate.server.admin;

import static dev.tollgate.server.admin.AdminApi.done;
import static dev.tollgate.server.admin.AdminApi.param;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.config.ConfigEdits;
import dev.tollgate.core.ledger.ArmTotals;
import dev.tollgate.core.ledger.SpendLedger;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.ArmComparison;
import dev.tollgate.core.prompt.Experiment;
import dev.tollgate.core.prompt.Prompt;
import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.prompt.Significance;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.server.admin.AdminApi.Reply;
import dev.tollgate.server.reload.ConfigReloader;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The admin routes of prompt experiments, under {@code /admin/experiments}: how each arm does, from the ledger, and
 * ending an experiment. Each arm is compared with the first (the control): error rate by a two-proportion z-test,
 * feedback score and latency by Welch's t-test, significant at p &lt; {@value Significance#ALPHA}.
 *
 * <pre>
 *  GET  /admin/experiments                   every experiment with its arms' results
 *  GET  /admin/experiments/{name}[?since=T]  one experiment; since: a date or an instant (default: all its rows)
 *  POST /admin/experiments/{name}/end        {"winner": "arm"}: the label moves to the winner's version and the
 *                                            experiment is removed from the config, in one new config version
 * </pre>
 */
final class ExperimentRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<RuntimeSnapshot> snapshot;
    private final SpendLedger ledger;
    private final ConfigReloader reloader;
    private final AdminApi.Auditing auditing;

    /** @param ledger null when there is no ledger: results are then unavailable, ending still works */
    ExperimentRoutes(Supplier<RuntimeSnapshot> snapshot, SpendLedger ledger, ConfigReloader reloader,
                     AdminApi.Auditing auditing) {
        this.snapshot = snapshot;
        this.ledger = ledger;
        this.reloader = reloader;
        this.auditing = auditing;
    }

    /** The methods a path under {@code experiments} answers; none when it is not a route. */
    static Set<HttpMethod> methods(String[] parts) {
        boolean named = parts.length > 1 && !parts[1].isEmpty();
        return switch (parts.length) {
            case 1 -> Set.of(HttpMethod.GET);
            case 2 -> named ? Set.of(HttpMethod.GET) : Set.of();
            case 3 -> named && parts[2].equals("end") ? Set.of(HttpMethod.POST) : Set.of();
            default -> Set.of();
        };
    }

    static Set<String> params(String[] parts) {
        return parts.length == 2 ? Set.of("since") : Set.of();
    }

    /** Answers a request already checked against {@link #methods} and {@link #params}. */
    CompletionStage<Reply> route(String[] parts, QueryStringDecoder uri, String body, String actor) {
        PromptRegistry registry = snapshot.get().prompts();
        if (parts.length == 1) {
            if (ledger == null) {
                return done(noLedger());
            }
            List<CompletableFuture<ObjectNode>> reports = new ArrayList<>();
            for (Experiment e : registry.experiments().values()) {
                reports.add(report(e, registry, Instant.EPOCH).toCompletableFuture());
            }
            return CompletableFuture.allOf(reports.toArray(CompletableFuture[]::new)).thenApply(ok -> {
                ObjectNode out = JSON.createObjectNode();
                ArrayNode data = out.putArray("data");
                reports.forEach(r -> data.add(r.join()));
                return Reply.json(HttpResponseStatus.OK, out);
            });
        }
        Experiment experiment = registry.experiments().get(parts[1]);
        if (experiment == null) {
            return done(Reply.error(HttpResponseStatus.NOT_FOUND, "No experiment '" + parts[1] + "' is defined"
                    + (registry.experiments().isEmpty() ? "." : "; there are: "
                    + String.join(", ", registry.experiments().keySet()) + ".")));
        }
        if (parts.length == 3) {
            return end(experiment, registry, body, actor);
        }
        Instant since = AdminApi.instant(param(uri, "since"), Instant.EPOCH, "since");
        if (ledger == null) {
            return done(noLedger());
        }
        return report(experiment, registry, since).thenApply(out -> Reply.json(HttpResponseStatus.OK, out));
    }

    private static Reply noLedger() {
        return Reply.error(HttpResponseStatus.CONFLICT, "Experiment results need the ledger (storage.ledger).");
    }

    private CompletionStage<ObjectNode> report(Experiment e, PromptRegistry registry, Instant since) {
        return ledger.experiment(e.name(), since).thenApply(rows -> report(e, registry, since, rows));
    }

    /** The experiment's definition and, per arm in config order, its results and its comparison with the control. */
    static ObjectNode report(Experiment e, PromptRegistry registry, Instant since, List<ArmTotals> rows) {
        Map<String, ArmTotals> byArm = new HashMap<>();
        rows.forEach(r -> byArm.put(r.arm(), r));
        ObjectNode out = PromptRoutes.experiment(e);
        out.put("since", since.equals(Instant.EPOCH) ? null : since.toString());
        Integer labelled = registry.prompts().get(e.prompt()).labels().get(e.label());
        out.put("label_version", labelled);
        String controlName = e.arms().getFirst().name();
        out.put("control", controlName);
        ArmTotals control = byArm.getOrDefault(controlName, empty(controlName));
        ArrayNode arms = out.putArray("arms");
        for (Experiment.Arm arm : e.arms()) {
            ArmTotals t = byArm.getOrDefault(arm.name(), empty(arm.name()));
            ObjectNode row = arms.addObject().put("name", arm.name()).put("version", arm.version())
                    .put("model", arm.model()).put("weight", arm.weight())
                    .put("renders_version", arm.version() != null ? arm.version() : labelled);
            results(row, t);
            if (!arm.name().equals(controlName)) {
                ArrayNode against = row.putArray("vs_control");
                for (ArmComparison c : ArmComparison.of(control, t)) {
                    Significance.Result r = c.result();
                    ObjectNode test = against.addObject().put("metric", c.metric().label())
                            .put("enough_data", r.enoughData()).put("significant", r.significant())
                            .put("verdict", c.verdict());
                    test.put("statistic", r.enoughData() && Double.isFinite(r.statistic()) ? r.statistic() : null);
                    test.put("p_value", r.enoughData() ? r.p() : null);
                }
            }
        }
        return out;
    }

    private static ArmTotals empty(String arm) {
        return new ArmTotals(arm, 0, 0, ArmTotals.Moments.NONE, 0, 0, 0, Money.ZERO, ArmTotals.Moments.NONE);
    }

    /**
     * Means are null for an arm without requests (or without feedback), not 0, which would read as measured. The
     * error rate and latency are over the requests the arm handled, token and cost means over all of them.
     */
    private static void results(ObjectNode row, ArmTotals t) {
        long n = t.requests();
        long handled = t.handled();
        row.put("requests", n).put("handled", handled).put("errors", t.errors())
                .put("error_rate", handled == 0 ? null : (double) t.errors() / handled)
                .put("latency_ms_mean", handled == 0 ? null : t.latency().mean())
                .put("latency_ms_max", handled == 0 ? null : t.latencyMaxMillis())
                .put("input_tokens_mean", n == 0 ? null : (double) t.inputTokens() / n)
                .put("output_tokens_mean", n == 0 ? null : (double) t.outputTokens() / n)
                .put("cost_usd", t.cost().usd())
                .put("cost_per_request_usd", n == 0 ? null : new Money(t.cost().nanos() / n).usd())
                .put("feedback_count", t.feedback().count())
                .put("feedback_score_mean", t.feedback().count() == 0 ? null : t.feedback().mean());
    }

    /**
     * Moves the experiment's label to the winner's version and removes the experiment, in one config edit: one new
     * version, so one rollback undoes both. A winner that names no version rendered the label's own, so the label
     * stays where it is (the edit, made later on the reload thread, then cannot undo a label move made meanwhile).
     */
    private CompletionStage<Reply> end(Experiment e, PromptRegistry registry, String body, String actor) {
        JsonNode winnerField = PromptRoutes.body(body).get("winner");
        if (winnerField == null || !winnerField.isTextual()) {
            throw new IllegalArgumentException("The body is {\"winner\": \"<arm>\"}.");
        }
        Experiment.Arm winner = e.arm(winnerField.textValue());
        if (winner == null) {
            throw new IllegalArgumentException("Experiment '" + e.name() + "' has no arm '" + winnerField.textValue()
                    + "'; its arms: " + e.arms().stream().map(Experiment.Arm::name).collect(Collectors.joining(", "))
                    + ".");
        }
        Prompt prompt = registry.prompts().get(e.prompt());
        int version = winner.version() != null ? winner.version() : prompt.labels().get(e.label());
        PromptVersion promoted = prompt.version(version);
        String modelNote = winner.model() == null || Objects.equals(winner.model(), promoted.model()) ? null
                : "Arm " + winner.name() + " sent its requests to model '" + winner.model() + "', which is not part of "
                        + "version " + version + " (" + (promoted.model() == null ? "which names no model"
                        : "whose model is '" + promoted.model() + "'") + "); to keep it, write a new version with "
                        + "model: " + winner.model() + " and move the label to it.";
        String note = "end experiment " + e.name() + ": " + winner.name() + " wins, label " + e.prompt() + "@"
                + e.label() + " -> " + version;
        return auditing.audited("experiment.end", actor,
                line -> line.field("experiment", e.name()).field("winner", winner.name())
                        .field("prompt", e.prompt()).field("label", e.label()).field("version", version),
                () -> reloader.submit(() -> reloader.edit(text -> ConfigEdits.deleteExperiment(
                        winner.version() == null ? text : ConfigEdits.setLabel(text, e.prompt(), e.label(), version),
                        e.name()), actor, note))
                        .thenApply(result -> ConfigRoutes.reply(result, out -> {
                            out.put("experiment", e.name()).put("winner", winner.name()).put("prompt", e.prompt())
                                    .put("label", e.label()).put("label_version", version);
                            if (modelNote != null) {
                                out.put("note", modelNote);
                            }
                        })));
    }
}
