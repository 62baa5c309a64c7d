package dev.tollgate.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tollgate.core.ledger.ArmTotals;
import dev.tollgate.core.ledger.ArmTotals.Moments;
import dev.tollgate.core.pricing.Money;
import org.junit.jupiter.api.Test;

/** Expected values from SciPy 1.17 (stats.norm, stats.t, stats.ttest_ind_from_stats with equal_var=False). */
class SignificanceTest {

    /** Moments of a sample with this size, mean and sample variance. */
    private static Moments moments(long n, double mean, double variance) {
        double sum = mean * n;
        return new Moments(n, sum, variance * (n - 1) + sum * sum / n);
    }

    @Test
    void distributionsMatchKnownValues() {
        assertThat(Significance.erfc(1.96 / Math.sqrt(2))).isCloseTo(0.04999579029644087, within(1e-12));
        assertThat(Significance.erfc(4 / Math.sqrt(2))).isCloseTo(6.334248366623973e-05, within(1e-15));
        assertThat(Significance.erfc(0)).isCloseTo(1, within(1e-15));
        assertThat(Significance.studentTwoSided(2.0, 5)).isCloseTo(0.10193947882985835, within(1e-12));
        assertThat(Significance.studentTwoSided(1.5, 100.5)).isCloseTo(0.13674941485747177, within(1e-12));
        assertThat(Significance.studentTwoSided(10, 3)).isCloseTo(0.0021283990584141503, within(1e-12));
        assertThat(Significance.logGamma(5)).isCloseTo(Math.log(24), within(1e-12));
        assertThat(Significance.logGamma(0.5)).isCloseTo(Math.log(Math.sqrt(Math.PI)), within(1e-12));
    }

    @Test
    void twoProportionZTest() {
        Significance.Result r = Significance.proportions(30, 100, 45, 100);
        assertThat(r.statistic()).isCloseTo(2.1908902300206647, within(1e-9));
        assertThat(r.p()).isCloseTo(0.02845973691631055, within(1e-9));
        assertThat(r.significant()).isTrue();
        // 3 errors in 100 against 2: under five expected errors per arm, the normal approximation does not hold
        assertThat(Significance.proportions(3, 100, 2, 100).enoughData()).isFalse();
        assertThat(Significance.proportions(0, 0, 2, 100).enoughData()).isFalse();
    }

    @Test
    void welchTTest() {
        Significance.Result r = Significance.welch(moments(40, 0.6, 0.04), moments(35, 0.7, 0.05));
        assertThat(r.statistic()).isCloseTo(2.029198624783569, within(1e-9));
        assertThat(r.p()).isCloseTo(0.0463062765383904, within(1e-9));
        Significance.Result latency = Significance.welch(moments(50, 100, 400), moments(60, 110, 900));
        assertThat(latency.statistic()).isCloseTo(2.0851441405707476, within(1e-9));
        assertThat(latency.p()).isCloseTo(0.03952052849195062, within(1e-9));
        assertThat(Significance.welch(moments(29, 0.6, 0.04), moments(35, 0.9, 0.05)).enoughData()).isFalse();
        Significance.Result constant = Significance.welch(moments(30, 1, 0), moments(30, 1, 0));
        assertThat(constant.p()).isEqualTo(1);
        assertThat(constant.significant()).isFalse();
    }

    private static ArmTotals arm(String name, long requests, long errors, Moments latency, Moments feedback) {
        return new ArmTotals(name, requests, errors, latency, 900, 10 * requests, 20 * requests,
                new Money(requests * 1000), feedback);
    }

    @Test
    void verdictsInPlainWords() {
        ArmTotals a = arm("a", 100, 30, moments(100, 100, 400), moments(40, 0.6, 0.04));
        ArmTotals b = arm("b", 100, 45, moments(100, 101, 400), moments(35, 0.7, 0.05));
        var comparisons = ArmComparison.of(a, b);
        assertThat(comparisons).extracting(ArmComparison::verdict).containsExactly(
                "b has a higher error rate than a (p=0.028)",
                "b has a higher feedback score than a (p=0.046)",
                "no significant difference in latency between b and a (p=0.724)");
        // Requests refused by policy or cancelled are in neither the latency sample nor the error rate's base:
        // 45 errors of 100 handled requests, however many more were refused.
        ArmTotals refusedToo = new ArmTotals("b", 400, 45, moments(100, 101, 400), 900, 0, 0, Money.ZERO,
                moments(35, 0.7, 0.05));
        assertThat(ArmComparison.of(a, refusedToo).getFirst().result())
                .isEqualTo(comparisons.getFirst().result());
        ArmTotals few = arm("c", 10, 1, moments(10, 100, 400), Moments.NONE);
        assertThat(ArmComparison.of(a, few)).extracting(ArmComparison::verdict).allSatisfy(v ->
                assertThat(v).startsWith("not enough data ("));
    }
}
