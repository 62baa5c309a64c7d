package dev.tollgate.server.admin;

import static dev.tollgate.server.admin.AdminApi.done;
import static dev.tollgate.server.admin.AdminApi.param;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationQuery;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluationStore;
import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.server.admin.AdminApi.Auditing;
import dev.tollgate.server.admin.AdminApi.Reply;
import dev.tollgate.server.admin.EvaluationPager.Page;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The admin routes of online evaluation: the stored results (each evaluator's verdict on a sampled request or a
 * bias probe pair) and on-demand bias runs.
 *
 * <pre>
 *  GET  /admin/evaluations           ?evaluator&amp;model&amp;outcome&amp;min_score&amp;max_score&amp;flagged&amp;since&amp;before&amp;limit
 *                                    {"evaluations":[...], "next_before": ...}, newest first, limit 50 by default
 *  GET  /admin/evaluations/export    the same filters but limit: JSON lines (application/x-ndjson), one result a
 *                                    line, at most {@value #MAX_EXPORT}
 *  POST /admin/evaluations/bias/run  {"evaluator": name} or no body (every bias evaluator): runs the probes now
 * </pre>
 *
 * {@code since} and {@code before} are dates ({@code 2026-11-01}) or instants; {@code since} defaults to 30 days
 * ago. {@code next_before}, given as {@code before} with the same filters, asks for the next page; it is null on
 * the last. Scores run from 0 (worst) to 1 (best); {@code score} is null for a verdict without one (see
 * {@code outcome}). Costs are decimal dollar strings, as everywhere in the admin API. Texts are shown as stored:
 * PII-redacted and cut by the evaluation engine.
 *
 * <p>An export is read from the store a page at a time and sent as it is read, so it holds one page in memory
 * however many results there are. One that reaches {@value #MAX_EXPORT} results stops at a page's end and ends
 * with a line that is no result: {@code {"truncated":true,"max_rows":100000,"next_before":"..."}}; the same
 * filters with that {@code before} export the rest.
 *
 * <p>A bias run spends money (the probes are model calls), so a viewer may not start one; it is audited. It answers
 * 202 with the number of probe pairs started; the results arrive in the listing as the pairs finish.
 */
final class EvaluationRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FILTERS = Set.of("evaluator", "model", "outcome", "min_score", "max_score",
            "flagged", "since", "before");
    private static final Set<String> LISTING = Set.of("evaluator", "model", "outcome", "min_score", "max_score",
            "flagged", "since", "before", "limit");
    private static final int PAGE = 50;
    /** Results read from the store at a time by an export: small, as each may hold a prompt and an answer. */
    static final int EXPORT_PAGE = 200;
    /** The most results one export sends. */
    static final int MAX_EXPORT = 100_000;
    /** The answer to a bias run when there is nothing to run. */
    static final String NO_BIAS = "No bias evaluator to run: configure one under evaluation.evaluators (type: bias).";
    private static final String OUTCOMES = Arrays.stream(EvalOutcome.values()).map(EvalOutcome::label)
            .collect(Collectors.joining(", "));

    private final EvaluationStore store;
    private final BiasRuns biasRuns;
    private final Auditing auditing;
    private final Clock clock;
    private final int maxExport;

    /**
     * @param store null when there is no ledger
     * @param biasRuns null when the evaluation engine is not running
     */
    EvaluationRoutes(EvaluationStore store, BiasRuns biasRuns, Auditing auditing, Clock clock) {
        this(store, biasRuns, auditing, clock, MAX_EXPORT);
    }

    /** @param maxExport the most results one export sends (tests make it small) */
    EvaluationRoutes(EvaluationStore store, BiasRuns biasRuns, Auditing auditing, Clock clock, int maxExport) {
        this.store = store;
        this.biasRuns = biasRuns;
        this.auditing = auditing;
        this.clock = clock;
        this.maxExport = maxExport;
    }

    /** The methods a path under {@code evaluations} answers; none when it is not a route. */
    static Set<HttpMethod> methods(String[] parts) {
        if (parts.length == 1 || parts.length == 2 && parts[1].equals("export")) {
            return Set.of(HttpMethod.GET);
        }
        return parts.length == 3 && parts[1].equals("bias") && parts[2].equals("run")
                ? Set.of(HttpMethod.POST) : Set.of();
    }

    static Set<String> params(String[] parts) {
        return switch (parts.length) {
            case 1 -> LISTING;
            case 2 -> FILTERS;
            default -> Set.of();
        };
    }

    /** Answers a request already checked against {@link #methods}, {@link #params} and the caller's role. */
    CompletionStage<Reply> route(String[] parts, QueryStringDecoder uri, String body, String actor) {
        if (parts.length == 3) {
            return biasRun(body, actor);
        }
        boolean export = parts.length == 2;
        EvaluationQuery query = query(uri, export ? EXPORT_PAGE
                : Window.limit(uri, PAGE, EvaluationQuery.MAX_LIMIT));
        if (store == null) {
            return done(Reply.error(HttpResponseStatus.CONFLICT, "Evaluation results need the ledger "
                    + "(storage.ledger)."));
        }
        EvaluationPager pager = new EvaluationPager(store);
        // An export's first page is read before the status goes out, so a store that fails is still a 503.
        return pager.page(query).thenApply(first -> export
                ? Reply.streamed(QualityRoutes.NDJSON, new Export(pager, query, first, maxExport))
                : listing(first));
    }

    private EvaluationQuery query(QueryStringDecoder uri, int limit) {
        Window window = Window.of(uri, clock.instant());
        Double min = score(uri, "min_score");
        Double max = score(uri, "max_score");
        if (min != null && max != null && min > max) {
            throw new IllegalArgumentException("'min_score' must not be above 'max_score'.");
        }
        return new EvaluationQuery(param(uri, "evaluator"), param(uri, "model"), outcome(uri), min, max,
                flagged(uri), window.since(), window.before(), limit);
    }

    private static Double score(QueryStringDecoder uri, String name) {
        String text = param(uri, name);
        if (text == null) {
            return null;
        }
        double score;
        try {
            score = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            score = Double.NaN;
        }
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("'" + name + "' must be a number from 0 to 1.");
        }
        return score;
    }

    private static EvalOutcome outcome(QueryStringDecoder uri) {
        String text = param(uri, "outcome");
        if (text == null) {
            return null;
        }
        for (EvalOutcome outcome : EvalOutcome.values()) {
            if (outcome.label().equals(text)) {
                return outcome;
            }
        }
        throw new IllegalArgumentException("'outcome' must be one of " + OUTCOMES + ".");
    }

    private static Boolean flagged(QueryStringDecoder uri) {
        String text = param(uri, "flagged");
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'flagged' must be true or false.");
        };
    }

    private static Reply listing(Page page) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("evaluations");
        page.results().forEach(r -> list.add(json(r)));
        out.put("next_before", page.nextBefore() == null ? null : page.nextBefore().toString());
        return Reply.json(HttpResponseStatus.OK, out);
    }

    /** A result as the listing and the export show it. */
    static ObjectNode json(EvaluationResult e) {
        RequestFacts r = e.request();
        PromptUse prompt = r.prompt();
        ObjectNode out = JSON.createObjectNode().put("request_id", r.requestId()).put("spend_id", r.spendId())
                .put("request_at", r.at().toString()).put("key", r.key()).put("team", r.team())
                .put("model", r.model()).put("tier", r.tier()).put("variant", r.variant())
                .put("prompt_id", prompt == null ? null : prompt.id())
                .put("prompt_version", prompt == null ? null : prompt.version())
                .put("prompt_label", prompt == null ? null : prompt.label())
                .put("experiment", prompt == null ? null : prompt.experiment())
                .put("experiment_arm", prompt == null ? null : prompt.arm())
                .put("at", e.at().toString()).put("evaluator", e.evaluator()).put("kind", e.kind().label())
                .put("rubric", e.rubric()).put("outcome", e.outcome().label());
        return out.put("score", e.score()).put("flagged", e.flagged()).put("rationale", e.rationale())
                .put("prompt", e.prompt()).put("answer", e.answer()).put("cost_usd", e.cost().usd())
                .put("detail", e.detail());
    }

    /**
     * The JSON lines of one export: the first page (read before the reply began), then each next page as the one
     * before is sent. Its pieces are asked for one after another, never at once.
     */
    private static final class Export implements StreamedBody {
        private final EvaluationPager pager;
        private final int max;
        /** The query of the page to send next; null once the export is complete. */
        private EvaluationQuery query;
        private Page first;
        private int sent;

        Export(EvaluationPager pager, EvaluationQuery query, Page first, int max) {
            this.pager = pager;
            this.max = max;
            this.query = query;
            this.first = first;
        }

        @Override
        public CompletionStage<String> next() {
            if (first != null) {
                Page page = first;
                first = null;
                return done(lines(page));
            }
            return query == null ? done(null) : pager.page(query).thenApply(this::lines);
        }

        private String lines(Page page) {
            if (sent + page.results().size() > max) {
                String note = JSON.createObjectNode().put("truncated", true).put("max_rows", max)
                        .put("next_before", query.before().toString()).toString();
                query = null;
                return note + "\n";
            }
            StringBuilder out = new StringBuilder();
            for (EvaluationResult r : page.results()) {
                out.append(json(r)).append('\n');
            }
            sent += page.results().size();
            query = page.nextBefore() == null ? null : EvaluationPager.before(query, page.nextBefore());
            return out.toString();
        }

        private static CompletionStage<String> done(String piece) {
            return CompletableFuture.completedFuture(piece);
        }
    }

    /** Starts the bias probes now: audited, as they are model calls the evaluation team pays for. */
    private CompletionStage<Reply> biasRun(String body, String actor) {
        String evaluator = biasEvaluator(body);
        if (biasRuns == null) {
            return done(Reply.error(HttpResponseStatus.CONFLICT, NO_BIAS));
        }
        return auditing.audited("evaluation.bias_run", actor, line -> line.field("evaluator", evaluator),
                () -> started(evaluator).handle((pairs, error) -> {
                    if (error == null) {
                        return Reply.json(HttpResponseStatus.ACCEPTED, JSON.createObjectNode()
                                .put("evaluator", evaluator).put("started_pairs", pairs));
                    }
                    Throwable cause = error instanceof CompletionException c && c.getCause() != null
                            ? c.getCause() : error;
                    return switch (cause) {
                        case IllegalArgumentException unknown -> Reply.error(HttpResponseStatus.NOT_FOUND,
                                "No bias evaluator is named '" + evaluator + "' in the config in force.");
                        case IllegalStateException none -> Reply.error(HttpResponseStatus.CONFLICT, NO_BIAS);
                        default -> throw new CompletionException(cause);
                    };
                }));
    }

    /** The run's stage; a run that throws instead of failing its stage is answered the same way. */
    private CompletionStage<Integer> started(String evaluator) {
        try {
            return biasRuns.run(evaluator);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The evaluator a bias run body names; null for no body or an empty object: every bias evaluator. */
    private static String biasEvaluator(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode field = PromptRoutes.body(body).get("evaluator");
        if (field == null || field.isNull()) {
            return null;
        }
        if (!field.isTextual() || field.textValue().isEmpty()) {
            throw new IllegalArgumentException("The body is {\"evaluator\": \"<bias evaluator>\"}, or empty to run "
                    + "every bias evaluator.");
        }
        return field.textValue();
    }
}
