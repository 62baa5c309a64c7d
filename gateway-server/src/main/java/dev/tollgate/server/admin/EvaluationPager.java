package dev.tollgate.server.admin;

import dev.tollgate.core.eval.EvaluationQuery;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluationStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Pages of evaluation results that neither skip nor repeat a result, though the store pages by time alone
 * ({@link EvaluationQuery#before}) and many results may share a millisecond (a bias run ends many pairs at once).
 * A full page gives back the results of its last millisecond and points the next page at them, so that
 * millisecond is read whole; a full page that is one millisecond only is read again with that millisecond's every
 * result, up to {@value EvaluationQuery#MAX_LIMIT} (more in one millisecond are beyond what a listing shows).
 */
final class EvaluationPager {
    /**
     * Results, newest first, and the {@code before} of the next page, or null when there is none.
     *
     * @param nextBefore exclusive, as {@link EvaluationQuery#before}
     */
    record Page(List<EvaluationResult> results, Instant nextBefore) {
        Page {
            results = List.copyOf(results);
        }
    }

    private final EvaluationStore store;

    EvaluationPager(EvaluationStore store) {
        this.store = store;
    }

    /** The page {@code query} starts: at most its limit of results, maybe fewer. */
    CompletionStage<Page> page(EvaluationQuery query) {
        return store.evaluations(query).thenCompose(rows -> {
            if (rows.size() < query.limit()) {
                return CompletableFuture.completedFuture(new Page(rows, null));
            }
            Instant last = millis(rows.getLast().at());
            if (millis(rows.getFirst().at()).equals(last)) {
                return store.evaluations(within(query, last)).thenApply(all -> new Page(all,
                        last.isAfter(query.since()) ? last : null));
            }
            List<EvaluationResult> before = rows.stream().filter(r -> millis(r.at()).isAfter(last)).toList();
            return CompletableFuture.completedFuture(new Page(before, last.plusMillis(1)));
        });
    }

    /** {@code query} with another {@code before}: the next page of the same listing. */
    static EvaluationQuery before(EvaluationQuery query, Instant before) {
        return new EvaluationQuery(query.evaluator(), query.model(), query.outcome(), query.minScore(),
                query.maxScore(), query.flagged(), query.since(), before, query.limit());
    }

    /** Every result of {@code query} in the millisecond {@code at}. */
    private static EvaluationQuery within(EvaluationQuery query, Instant at) {
        return new EvaluationQuery(query.evaluator(), query.model(), query.outcome(), query.minScore(),
                query.maxScore(), query.flagged(), at, at.plusMillis(1), EvaluationQuery.MAX_LIMIT);
    }

    /** The store keeps times to the millisecond. */
    private static Instant millis(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS);
    }
}
