package dev.tollgate.server.eval;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.eval.AnswerText;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.eval.JudgeInput;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.quality.ReviewText;
import java.util.ArrayList;
import java.util.List;

/**
 * A request drawn by evaluators, as queued for them: its texts as a judge sees them, already bounded by
 * {@code evaluation.max_chars}, so a full queue has a known worst-case size. Built on the event loop, so it only
 * copies text.
 *
 * @param input the prompt, its context and the answer, each cut to {@code max_chars}
 * @param answerCut whether the answer was only the beginning of a long stream's
 * @param request the request itself, for consistency re-asks; null when no consistency evaluator drew it
 * @param requestBytes the size of {@code request}'s decoded body; 0 without a request
 * @param evaluators the evaluators that drew it, in config order
 */
public record EvaluationDraft(JudgeInput input, boolean answerCut, ChatRequest request, int requestBytes,
                              List<Evaluator.Sampled> evaluators) {
    /**
     * Requests larger than this are not kept whole for re-asking: a queue of them would hold too much memory. The
     * other evaluators still score them, from the bounded texts.
     */
    public static final int MAX_REASK_BYTES = 256 << 10;
    /** What {@code tollgate_evaluations_skipped_total} calls a request too large to re-ask. */
    public static final String TOO_LARGE = "too_large";
    /** The skip reason of a sampled request or answer that does not read as text. */
    public static final String UNREADABLE = "unreadable";

    public EvaluationDraft {
        requireNonNull(input, "input");
        evaluators = List.copyOf(evaluators);
    }

    /** About what it holds while queued: its texts (two bytes a character) and the request kept for re-asks. */
    public long bytes() {
        long chars = (long) input.context().length() + input.prompt().length() + input.answer().length();
        return 2 * chars + requestBytes;
    }

    /** How many characters of a streamed answer to gather for evaluators that see {@code maxChars}. */
    public static int bound(int maxChars) {
        return maxChars + ReviewText.REDACTION_MARGIN;
    }

    /**
     * The draft of a completed request; null when, once a too-large request's consistency evaluators are left out
     * (and counted as skipped), no evaluator is left.
     *
     * @param bodyBytes the size of the request's decoded body
     */
    public static EvaluationDraft of(ChatRequest request, int bodyBytes, ChatResponse answer, boolean answerCut,
                                     List<Evaluator.Sampled> evaluators, int maxChars, GatewayMetrics metrics) {
        List<Evaluator.Sampled> kept = evaluators;
        boolean reasks = false;
        for (Evaluator.Sampled e : evaluators) {
            reasks |= e instanceof Evaluator.Consistency;
        }
        if (reasks && bodyBytes > MAX_REASK_BYTES) {
            kept = new ArrayList<>(evaluators.size());
            for (Evaluator.Sampled e : evaluators) {
                if (e instanceof Evaluator.Consistency) {
                    metrics.evaluationsSkipped(e.name(), TOO_LARGE, 1);
                } else {
                    kept.add(e);
                }
            }
            reasks = false;
            if (kept.isEmpty()) {
                return null;
            }
        }
        return new EvaluationDraft(JudgeInput.of(request, AnswerText.of(answer), maxChars), answerCut,
                reasks ? request : null, reasks ? bodyBytes : 0, kept);
    }
}
