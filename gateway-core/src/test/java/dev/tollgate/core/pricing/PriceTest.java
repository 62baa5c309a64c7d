package dev.tollgate.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.Usage;
import org.junit.jupiter.api.Test;

/** Every expected amount below is worked out by hand from the per-million rates. */
class PriceTest {
    /** Claude Sonnet 4.5's shape: cache reads at a tenth of input, writes at 1.25x, thinking at the output rate. */
    private static final Price SONNET = new Price(usd("3"), usd("15"), usd("0.30"), usd("3.75"), usd("15"), 64_000);

    @Test
    void aCostBeyondLongProductsIsStillExact() {
        // 10^12 output tokens x $3/M: the product in nano-dollars overflows a long, the cost ($3,000,000) does not.
        Price price = Price.simple(usd("3"), usd("3"));
        assertThat(price.cost(Usage.reported(0, 1_000_000_000_000L))).isEqualTo(usd("3000000"));
        assertThat(price.worstCase(1_000_000_000_000L, 0)).isEqualTo(usd("3000000"));
    }

    @Test
    void absurdReportedUsageCostsTheMostThereIsInsteadOfFailing() {
        // A provider reporting 9e18 tokens must not make the request fail to settle.
        var absurd = new Usage(Long.MAX_VALUE, Long.MAX_VALUE, 0, 0, 0, true);
        assertThat(SONNET.cost(absurd)).isEqualTo(Money.MAX);
        assertThat(SONNET.worstCase(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Money.MAX);
    }

    @Test
    void plainInputAndOutput() {
        // 1,000 x $0.15/M + 500 x $0.60/M = $0.00015 + $0.0003
        Price mini = Price.simple(usd("0.15"), usd("0.60"));
        assertThat(mini.cost(Usage.reported(1_000, 500))).isEqualTo(usd("0.00045"));
    }

    @Test
    void eachKindOfTokenAtItsOwnRate() {
        // 10,000 input of which 2,000 cache reads and 1,000 cache writes; 2,000 output of which 500 thinking:
        // 7,000 x 3 + 2,000 x 0.30 + 1,000 x 3.75 + 1,500 x 15 + 500 x 15 = 21,000 + 600 + 3,750 + 22,500 + 7,500
        // = 55,350 dollar-tokens per million = $0.05535
        var usage = new Usage(10_000, 2_000, 2_000, 1_000, 500, true);
        assertThat(SONNET.cost(usage)).isEqualTo(usd("0.05535"));
    }

    @Test
    void reasoningPricedApart() {
        // as above, but thinking at $20/M: 500 x 20 = 10,000 instead of 7,500 -> $0.05785
        var thinkingDearer = new Price(usd("3"), usd("15"), usd("0.30"), usd("3.75"), usd("20"), 0);
        assertThat(thinkingDearer.cost(new Usage(10_000, 2_000, 2_000, 1_000, 500, true))).isEqualTo(usd("0.05785"));
    }

    @Test
    void cachedInputAtTheCachedRate() {
        // gpt-4o: 1,000,000 input of which 400,000 cached: 600,000 x 2.50 + 400,000 x 1.25 = $1.50 + $0.50
        var gpt4o = new Price(usd("2.50"), usd("10"), usd("1.25"), usd("2.50"), usd("10"), 16_384);
        assertThat(gpt4o.cost(new Usage(1_000_000, 0, 400_000, 0, 0, true))).isEqualTo(usd("2"));
    }

    @Test
    void roundsUpToAWholeNanoDollarSoTinyUsageIsNeverFree() {
        // 1 token at $0.0375/M is 37.5 nano-dollars -> 38; 3 tokens at $0.075/M are exactly 225
        assertThat(Price.simple(usd("0.0375"), Money.ZERO).cost(Usage.reported(1, 0))).isEqualTo(new Money(38));
        assertThat(Price.simple(usd("0.075"), Money.ZERO).cost(Usage.reported(3, 0))).isEqualTo(new Money(225));
        // 1 token at one nano-dollar per million is a millionth of a nano-dollar -> 1
        assertThat(Price.simple(new Money(1), Money.ZERO).cost(Usage.reported(1, 0))).isEqualTo(new Money(1));
        assertThat(Price.simple(new Money(1), Money.ZERO).cost(Usage.reported(0, 0))).isEqualTo(Money.ZERO);
    }

    @Test
    void worstCaseTakesTheDearestRateOfEachSide() {
        // input at max(3, 0.30, 3.75) = 3.75, output at max(15, 15) = 15:
        // 10,000 x 3.75 + 2,000 x 15 = 37,500 + 30,000 -> $0.0675
        assertThat(SONNET.worstCase(10_000, 2_000)).isEqualTo(usd("0.0675"));
        var thinkingDearer = new Price(usd("3"), usd("15"), usd("0.30"), usd("3.75"), usd("20"), 0);
        // output at 20: 37,500 + 40,000 -> $0.0775
        assertThat(thinkingDearer.worstCase(10_000, 2_000)).isEqualTo(usd("0.0775"));
    }

    @Test
    void noMixOfTheSameTokensCostsMoreThanTheWorstCase() {
        Money worst = SONNET.worstCase(10_000, 2_000);
        for (long cached = 0; cached <= 10_000; cached += 2_500) {
            for (long written = 0; written + cached <= 10_000; written += 2_500) {
                for (long thinking = 0; thinking <= 2_000; thinking += 1_000) {
                    var usage = new Usage(10_000, 2_000, cached, written, thinking, true);
                    assertThat(SONNET.cost(usage)).isLessThanOrEqualTo(worst);
                }
            }
        }
    }

    @Test
    void simpleChargesCacheAndReasoningAtThePlainRates() {
        Price p = Price.simple(usd("1"), usd("2"));
        assertThat(p.cost(new Usage(1_000, 1_000, 500, 500, 500, true)))
                .isEqualTo(p.cost(Usage.reported(1_000, 1_000)))
                .isEqualTo(usd("0.003"));
    }

    @Test
    void negativeRatesAreRefused() {
        assertThatThrownBy(() -> Price.simple(new Money(-1), usd("1"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Price(usd("1"), usd("1"), usd("1"), usd("1"), usd("1"), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void moneyIsExactToTheNanoDollar() {
        assertThat(Money.ofUsd("0.000000001")).isEqualTo(new Money(1));
        assertThat(usd("0.075").plus(usd("0.0375")).usd()).isEqualTo("0.1125");
        assertThat(Money.ZERO.usd()).isEqualTo("0");
        assertThatThrownBy(() -> Money.ofUsd("0.0000000001")).isInstanceOf(IllegalArgumentException.class);
    }

    static Money usd(String amount) {
        return Money.ofUsd(amount);
    }
}
