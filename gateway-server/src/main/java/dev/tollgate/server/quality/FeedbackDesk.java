package dev.tollgate.server.quality;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.QualityStore;
import dev.tollgate.core.quality.RequestFacts;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes feedback on answers. A caller may rate only requests made with its own key (on an open gateway: requests
 * made without a key): a key is one application, and another application's request ids are none of its business.
 * A request of another key is "not found", exactly like one that does not exist, so ids cannot be probed.
 *
 * <p>The request is looked up among the ones this process answered lately ({@link RecentRequests}), else in the
 * ledger (where every replica's rows are). Feedback is stored with the ledger (latest wins) and counted in the
 * {@code tollgate_feedback_score} histogram by model group, tier, split variant, registry prompt version and
 * experiment arm. Without a ledger it is counted only, and only requests still in the recent index can be rated.
 * Comments are stored PII-redacted. Accepted feedback is also handed on (to online evaluation, which records it as
 * the {@code feedback} evaluator's score).
 *
 * <p>{@link #rate} never blocks: database work runs on the ledger's threads. Thread-safe.
 */
public final class FeedbackDesk {
    private static final Logger LOG = Logger.getLogger(FeedbackDesk.class.getName());
    /**
     * Feedback waiting on the ledger at most: each unknown request id costs a database look-up on the ledger's
     * few threads, so a flood of ratings (one key sending made-up ids) must not queue without end in front of the
     * spend reports and key changes that share them.
     */
    static final int MAX_WAITING_ON_LEDGER = 256;

    private final RecentRequests recent;
    private final QualityStore store;
    private final GatewayMetrics metrics;
    private final PiiRedactor redactor;
    private final Clock clock;
    private final Consumer<Feedback> accepted;
    private final AtomicInteger waitingOnLedger = new AtomicInteger();

    /**
     * @param store null when there is no ledger
     * @param accepted told of each accepted piece of feedback (comment redacted), on the thread that accepted it;
     *     must not block
     */
    public FeedbackDesk(RecentRequests recent, QualityStore store, GatewayMetrics metrics, PiiRedactor redactor,
                        Clock clock, Consumer<Feedback> accepted) {
        this.recent = requireNonNull(recent, "recent");
        this.store = store;
        this.metrics = requireNonNull(metrics, "metrics");
        this.redactor = requireNonNull(redactor, "redactor");
        this.clock = requireNonNull(clock, "clock");
        this.accepted = requireNonNull(accepted, "accepted");
    }

    /** What became of one piece of feedback. */
    public sealed interface Result {
        /** @param stored false when there is no ledger: the feedback was counted in the metrics only */
        record Accepted(Feedback feedback, boolean stored) implements Result {}

        record Refused(GatewayError error) implements Result {}
    }

    /**
     * Checks and takes the body of a {@code POST /v1/feedback} from the caller with key {@code key} (null on an
     * open gateway). Completes on the caller's thread or on a ledger thread; never exceptionally.
     */
    public CompletionStage<Result> rate(String key, byte[] body) {
        FeedbackBody.Read read = FeedbackBody.read(body);
        if (read instanceof FeedbackBody.Read.Invalid invalid) {
            return CompletableFuture.completedFuture(new Result.Refused(invalid.error()));
        }
        var valid = (FeedbackBody.Read.Valid) read;
        if (store != null && waitingOnLedger.incrementAndGet() > MAX_WAITING_ON_LEDGER) {
            waitingOnLedger.decrementAndGet();
            return CompletableFuture.completedFuture(new Result.Refused(GatewayError.of(ErrorKind.GATEWAY_OVERLOADED,
                    "Too much feedback is waiting for the ledger; try again shortly.")));
        }
        RequestFacts known = recent.find(valid.requestId(), key);
        CompletionStage<RequestFacts> found = known != null || store == null
                ? CompletableFuture.completedFuture(known) : store.findRequest(valid.requestId(), key);
        CompletionStage<Result> result = found.thenCompose(request -> request == null
                        ? CompletableFuture.<Result>completedFuture(new Result.Refused(notFound(valid.requestId())))
                        : take(new Feedback(request, clock.instant(), valid.score(), redact(valid.comment()))))
                .exceptionally(FeedbackDesk::storeFailed);
        return store == null ? result : result.whenComplete((done, never) -> waitingOnLedger.decrementAndGet());
    }

    private CompletionStage<Result> take(Feedback feedback) {
        CompletionStage<Boolean> stored = store == null ? CompletableFuture.completedFuture(false)
                : store.saveFeedback(feedback).thenApply(ok -> true);
        return stored.thenApply(inLedger -> {
            RequestFacts r = feedback.request();
            metrics.feedback(r.model(), r.tier(), r.variant(), r.prompt(), feedback.score().normalised());
            handOn(feedback);
            return new Result.Accepted(feedback, inLedger);
        });
    }

    /**
     * Tells the consumer of accepted feedback. A failure there is logged, not answered: the feedback is stored and
     * counted by now, and a refusal would have the client send it again.
     */
    private void handOn(Feedback feedback) {
        try {
            accepted.accept(feedback);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "accepted feedback could not be handed on to online evaluation: " + e);
        }
    }

    private String redact(String comment) {
        return comment == null ? null : redactor.redact(comment).text();
    }

    /** The same words whether the id is unknown or another key's: existence is not revealed. */
    private static GatewayError notFound(String requestId) {
        return new GatewayError(ErrorKind.NOT_FOUND, 404, "No request with id '" + requestId + "' was made with "
                + "this key, or it is too old to rate.", "request_id", "request_not_found", null);
    }

    private static Result storeFailed(Throwable e) {
        LOG.log(Level.WARNING, "feedback could not be looked up or stored in the ledger", e);
        return new Result.Refused(GatewayError.of(ErrorKind.GATEWAY_OVERLOADED, "The feedback could not be stored "
                + "now: the ledger database did not answer. Try again later."));
    }
}
