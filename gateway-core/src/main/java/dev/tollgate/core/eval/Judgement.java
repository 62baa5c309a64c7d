package dev.tollgate.core.eval;

import static java.util.Objects.requireNonNull;

/**
 * What a judge's reply says, read strictly: a score, a reply that does not read, or a refusal. A reply that is not
 * exactly the verdict object is never guessed into a score: it is counted as unparseable instead.
 */
public sealed interface Judgement {
    /** The points of the best answer on the judge's scale. */
    int MAX_POINTS = 5;

    /**
     * A verdict that reads.
     *
     * @param points the judge's score, 1 (worst) to {@link #MAX_POINTS}
     * @param score {@code points} on the evaluation scale: 0 (worst) to 1
     * @param reason the judge's one-sentence reason, cut to {@link EvaluationResult#MAX_RATIONALE} characters; null
     *     when it gave none
     */
    record Scored(int points, double score, String reason) implements Judgement {
        public Scored {
            if (points < 1 || points > MAX_POINTS) {
                throw new IllegalArgumentException("a judge scores from 1 to " + MAX_POINTS + ", not " + points);
            }
            if (score != score(points)) {
                throw new IllegalArgumentException(points + " points score " + score(points) + ", not " + score);
            }
            reason = reason == null ? null : Transcript.cut(reason, EvaluationResult.MAX_RATIONALE);
        }

        public static Scored of(int points, String reason) {
            return new Scored(points, score(points), reason);
        }

        /** {@code points} from 1..5 onto 0..1. */
        public static double score(int points) {
            return (points - 1) / (double) (MAX_POINTS - 1);
        }
    }

    /** A reply that is not the verdict object; {@code detail} says why in at most {@link EvaluationResult#MAX_DETAIL}. */
    record Unparseable(String detail) implements Judgement {
        public Unparseable {
            detail = bounded(detail);
        }
    }

    /** A reply declining to judge; {@code detail} quotes its first words. */
    record Refused(String detail) implements Judgement {
        public Refused {
            detail = bounded(detail);
        }
    }

    /**
     * Reads a judge's reply: exactly one JSON object, optionally in one markdown code fence ({@code ```} or
     * {@code ```json}), with white space around it allowed; its members only {@code score}, an integer from 1 to 5
     * ({@code 4.0} reads as 4), and optionally {@code reason}, a string. A reply with no JSON in it that opens like
     * a refusal ("I can't", "I'm sorry", "As an AI", ...) is {@link Refused}; anything else is {@link Unparseable}.
     * Never throws.
     */
    static Judgement read(String reply) {
        return VerdictReader.read(reply);
    }

    private static String bounded(String detail) {
        requireNonNull(detail, "detail");
        return Transcript.cut(detail, EvaluationResult.MAX_DETAIL);
    }
}
