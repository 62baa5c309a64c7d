package dev.tollgate.core.prompt;

import dev.tollgate.core.ledger.ArmTotals.Moments;

/**
 * Whether two experiment arms differ by more than chance: a two-proportion z-test for rates (errors) and Welch's
 * t-test for means (feedback score, latency), both two-sided. Pure functions of the counts and sums the ledger
 * keeps; the distributions are computed here (the normal through {@code erfc}, Student's t through the regularised
 * incomplete beta function) to a precision far beyond what a p-value needs.
 *
 * <p>A test with too little data is not run: its {@link Result#enoughData()} is false and its p-value is
 * meaningless. A t-test needs {@value #MIN_SAMPLE} values per arm; a z-test needs at least {@value #MIN_EXPECTED}
 * expected successes and failures per arm under the pooled rate (the usual condition for the normal approximation).
 */
public final class Significance {
    /** The p-value below which a difference is called significant. */
    public static final double ALPHA = 0.05;
    public static final int MIN_SAMPLE = 30;
    public static final int MIN_EXPECTED = 5;

    private static final double EPSILON = 1e-15;
    private static final double TINY = 1e-300;
    private static final int MAX_ITERATIONS = 500;

    private Significance() {}

    /**
     * A test's outcome.
     *
     * @param statistic z or t, positive when the second sample's value is the higher
     * @param p the two-sided p-value, from 0 to 1
     * @param enoughData false when the samples are too small for the test to mean anything
     */
    public record Result(double statistic, double p, boolean enoughData) {
        static final Result NOT_ENOUGH = new Result(Double.NaN, Double.NaN, false);

        public boolean significant() {
            return enoughData && p < ALPHA;
        }
    }

    /** Whether rate {@code x2/n2} differs from {@code x1/n1}: the pooled two-proportion z-test. */
    public static Result proportions(long x1, long n1, long x2, long n2) {
        if (n1 <= 0 || n2 <= 0) {
            return Result.NOT_ENOUGH;
        }
        double pooled = (double) (x1 + x2) / (n1 + n2);
        for (long n : new long[] {n1, n2}) {
            if (n * pooled < MIN_EXPECTED || n * (1 - pooled) < MIN_EXPECTED) {
                return Result.NOT_ENOUGH;
            }
        }
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        double z = ((double) x2 / n2 - (double) x1 / n1) / se;
        return new Result(z, erfc(Math.abs(z) / Math.sqrt(2)), true);
    }

    /** Whether the mean of {@code b} differs from that of {@code a}: Welch's t-test (variances not assumed equal). */
    public static Result welch(Moments a, Moments b) {
        if (a.count() < MIN_SAMPLE || b.count() < MIN_SAMPLE) {
            return Result.NOT_ENOUGH;
        }
        double va = a.variance() / a.count();
        double vb = b.variance() / b.count();
        double difference = b.mean() - a.mean();
        if (va + vb == 0) {
            // Every value of each arm is the same: the means differ for certain, or not at all.
            return new Result(difference == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, difference),
                    difference == 0 ? 1 : 0, true);
        }
        double t = difference / Math.sqrt(va + vb);
        double df = (va + vb) * (va + vb)
                / (va * va / (a.count() - 1) + vb * vb / (b.count() - 1));
        return new Result(t, studentTwoSided(t, df), true);
    }

    /** P(|T| >= |t|) for Student's t with {@code df} degrees of freedom. */
    static double studentTwoSided(double t, double df) {
        return regularizedBeta(df / (df + t * t), df / 2, 0.5);
    }

    /**
     * The complementary error function, through the regularised upper incomplete gamma function:
     * {@code erfc(x) = Q(1/2, x^2)} for {@code x >= 0}.
     */
    static double erfc(double x) {
        if (x < 0) {
            return 2 - erfc(-x);
        }
        return upperGamma(0.5, x * x);
    }

    /** Q(a, x), the regularised upper incomplete gamma function: a series below a + 1, a continued fraction above. */
    private static double upperGamma(double a, double x) {
        if (x == 0) {
            return 1;
        }
        double logPrefix = a * Math.log(x) - x - logGamma(a);
        if (x < a + 1) {
            double term = 1 / a;
            double sum = term;
            for (int n = 1; n < MAX_ITERATIONS && Math.abs(term) > Math.abs(sum) * EPSILON; n++) {
                term *= x / (a + n);
                sum += term;
            }
            return 1 - sum * Math.exp(logPrefix);
        }
        // Lentz's method on the continued fraction of Q.
        double b = x + 1 - a;
        double c = 1 / TINY;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < MAX_ITERATIONS; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = awayFromZero(d);
            c = b + an / c;
            c = awayFromZero(c);
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < EPSILON) {
                break;
            }
        }
        return Math.exp(logPrefix) * h;
    }

    /** I_x(a, b), the regularised incomplete beta function. */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x)
                + b * Math.log(1 - x));
        // The continued fraction converges fast for x below (a + 1) / (a + b + 2); above, use the symmetry.
        if (x < (a + 1) / (a + b + 2)) {
            return front * betaFraction(x, a, b) / a;
        }
        return 1 - front * betaFraction(1 - x, b, a) / b;
    }

    /** Lentz's guard: a term that would divide by (almost) zero is moved to the smallest usable size. */
    private static double awayFromZero(double v) {
        return Math.abs(v) < TINY ? TINY : v;
    }

    /** The continued fraction of the incomplete beta function, by the modified Lentz method. */
    private static double betaFraction(double x, double a, double b) {
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        d = awayFromZero(d);
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= MAX_ITERATIONS; m++) {
            int m2 = 2 * m;
            double even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + even * d;
            d = awayFromZero(d);
            c = 1 + even / c;
            c = awayFromZero(c);
            d = 1 / d;
            h *= d * c;
            double odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + odd * d;
            d = awayFromZero(d);
            c = 1 + odd / c;
            c = awayFromZero(c);
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < EPSILON) {
                break;
            }
        }
        return h;
    }

    /** ln Γ(x) for x > 0: the Lanczos approximation (g = 7, nine terms), accurate to about 15 digits. */
    static double logGamma(double x) {
        if (x < 0.5) {
            // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
        }
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        double y = x - 1;
        double sum = c[0];
        for (int i = 1; i < c.length; i++) {
            sum += c[i] / (y + i);
        }
        double t = y + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
