package dev.tollgate.server.exchange;

import dev.tollgate.core.guard.Blocks;
import dev.tollgate.core.guard.GuardResult;
import dev.tollgate.core.guard.GuardSet;
import dev.tollgate.core.guard.GuardStage;
import dev.tollgate.core.guard.Screened;
import dev.tollgate.core.guard.StreamGuard;
import dev.tollgate.core.guard.Verdict;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.spi.ClientDialect;
import java.util.ArrayList;
import java.util.List;

/**
 * The guardrails' part in a chat exchange: the request screened before it is routed on (a block answers 400
 * {@code content_blocked}; a redaction replaces the decoded request, which then goes the translated way even to a
 * same-dialect deployment, since the client's bytes still hold what was redacted), and the answer screened before
 * it is written: a complete answer whole, a stream through a {@link StreamGuard}. Each stage's verdicts are counted
 * as it ends; what tripped is kept for the access log. One per exchange that has guardrails, on its loop.
 */
final class GuardStep {
    private final GuardSet guardrails;
    private final GatewayMetrics metrics;
    private final List<Verdict> trips = new ArrayList<>(2);
    private boolean redacted;
    private StreamGuard stream;

    private GuardStep(GuardSet guardrails, GatewayMetrics metrics) {
        this.guardrails = guardrails;
        this.metrics = metrics;
    }

    /** The step for a request with these guardrails, or null when none apply. */
    static GuardStep of(GuardSet guardrails, GatewayMetrics metrics) {
        return guardrails.any(GuardStage.INPUT) || guardrails.any(GuardStage.OUTPUT)
                ? new GuardStep(guardrails, metrics) : null;
    }

    /**
     * Screens the request (decoding it, if the exchange had not yet). Returns the error to answer with when a
     * guardrail blocks it; else null, with a redacted request put in place of the decoded one.
     */
    GatewayError screenRequest(ChatFeatures features, List<String> promptValues) {
        if (!guardrails.any(GuardStage.INPUT)) {
            return null;
        }
        ChatRequest request = features.request();
        Screened<ChatRequest> screened = guardrails.screenInput(request, promptValues);
        record(GuardStage.INPUT, screened);
        if (screened.blocked()) {
            return Blocks.request(screened.blockedBy());
        }
        if (screened.redacted()) {
            features.guarded(screened.value());
            redacted = true;
        }
        return null;
    }

    /** Whether the request must go the translated way: see {@link ExchangePlan#of}. */
    boolean translates() {
        return redacted || guardrails.any(GuardStage.OUTPUT);
    }

    /** Whether anything screens the answer. */
    boolean screensAnswer() {
        return guardrails.any(GuardStage.OUTPUT);
    }

    /**
     * A complete, successful translated answer screened: the answer to send (itself, or re-encoded with its
     * redactions), or a {@link ExchangePlan.Answer.Failed} with {@code content_blocked} when a guardrail blocks it.
     */
    ExchangePlan.Answer screenAnswer(ExchangePlan.Answer.Body answer, ClientDialect dialect) {
        if (!screensAnswer() || answer.error() != null || answer.chat() == null) {
            return answer;
        }
        Screened<ChatResponse> screened = guardrails.screenOutput(answer.chat());
        record(GuardStage.OUTPUT, screened);
        if (screened.blocked()) {
            return new ExchangePlan.Answer.Failed(Blocks.answer(screened.blockedBy()));
        }
        if (screened.value() == answer.chat()) {
            return answer;
        }
        return new ExchangePlan.Answer.Body(answer.status(), answer.contentType(),
                dialect.encodeChat(screened.value()), answer.usage(), null, screened.value());
    }

    /** A stored answer about to be replayed, screened as a fresh one would be: the answer, or a blocking error. */
    Screened<ChatResponse> screenStored(ChatResponse answer) {
        Screened<ChatResponse> screened = guardrails.screenOutput(answer);
        record(GuardStage.OUTPUT, screened);
        return screened;
    }

    /** The guard for the answer's stream (one per attempt that streams); null when nothing screens the answer. */
    StreamGuard streamGuard() {
        if (!screensAnswer()) {
            return null;
        }
        stream = guardrails.streamGuard();
        return stream;
    }

    /** Counts the stream's verdicts, once, when the exchange ends; a stream never started counts nothing. */
    void finished() {
        if (stream != null) {
            record(GuardStage.OUTPUT, stream.result());
            stream = null;
        }
    }

    /** What flagged, redacted or blocked, for the access log. */
    List<Verdict> trips() {
        return trips;
    }

    private void record(GuardStage stage, Screened<?> screened) {
        metrics.guardrailsChecked(stage, screened.verdicts(), screened.nanos());
        for (Verdict v : screened.verdicts()) {
            if (v.result() != GuardResult.PASS) {
                trips.add(v);
            }
        }
    }
}
