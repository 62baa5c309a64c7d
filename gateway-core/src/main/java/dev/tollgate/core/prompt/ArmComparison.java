package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.ledger.ArmTotals;
import java.util.List;
import java.util.Locale;

/**
 * How one experiment arm compares with the control arm (the experiment's first) on one metric, with the test's
 * result and a verdict in plain words: {@code b has a higher feedback score than a (p=0.010)}.
 *
 * @param arm the arm compared
 * @param control the control arm's name
 */
public record ArmComparison(Metric metric, String arm, String control, Significance.Result result, String verdict) {
    /** What is compared, and how. */
    public enum Metric {
        ERROR_RATE("error rate", "at least " + Significance.MIN_EXPECTED + " expected errors and "
                + Significance.MIN_EXPECTED + " expected successes per arm"),
        FEEDBACK_SCORE("feedback score", Significance.MIN_SAMPLE + " rated requests per arm"),
        LATENCY("latency", Significance.MIN_SAMPLE + " handled requests per arm");

        private final String words;
        private final String needs;

        Metric(String words, String needs) {
            this.words = words;
            this.needs = needs;
        }

        /** The name the admin API shows: {@code error_rate}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String words() {
            return words;
        }
    }

    public ArmComparison {
        requireNonNull(metric, "metric");
        requireNonNull(arm, "arm");
        requireNonNull(control, "control");
        requireNonNull(result, "result");
        requireNonNull(verdict, "verdict");
    }

    /** {@code arm} against {@code control} on every metric, in {@link Metric} order. */
    public static List<ArmComparison> of(ArmTotals control, ArmTotals arm) {
        return List.of(
                compare(Metric.ERROR_RATE, control, arm, Significance.proportions(control.errors(),
                        control.handled(), arm.errors(), arm.handled())),
                compare(Metric.FEEDBACK_SCORE, control, arm, Significance.welch(control.feedback(), arm.feedback())),
                compare(Metric.LATENCY, control, arm, Significance.welch(control.latency(), arm.latency())));
    }

    private static ArmComparison compare(Metric metric, ArmTotals control, ArmTotals arm, Significance.Result r) {
        String verdict;
        if (!r.enoughData()) {
            verdict = "not enough data (needs " + metric.needs + ")";
        } else if (r.significant()) {
            verdict = arm.arm() + " has a " + (r.statistic() > 0 ? "higher " : "lower ") + metric.words() + " than "
                    + control.arm() + " (" + pValue(r.p()) + ")";
        } else {
            verdict = "no significant difference in " + metric.words() + " between " + arm.arm() + " and "
                    + control.arm() + " (" + pValue(r.p()) + ")";
        }
        return new ArmComparison(metric, arm.arm(), control.arm(), r, verdict);
    }

    private static String pValue(double p) {
        return p < 0.001 ? "p<0.001" : String.format(Locale.ROOT, "p=%.3f", p);
    }
}
