package dev.tollgate.core.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * An amount of US dollars in whole nano-dollars (1e-9 USD): exact for every price with up to three decimals per
 * million tokens, summable without rounding drift, and good for amounts up to about nine billion dollars. Never a
 * {@code double}.
 */
public record Money(long nanos) implements Comparable<Money> {
    public static final Money ZERO = new Money(0);
    private static final int SCALE = 9;

    /** Parses a decimal dollar amount ({@code "12.5"}, {@code "0.000150"}); more than nine decimals is an error. */
    public static Money ofUsd(String usd) {
        return ofUsd(new BigDecimal(usd));
    }

    public static Money ofUsd(BigDecimal usd) {
        try {
            return new Money(usd.setScale(SCALE, RoundingMode.UNNECESSARY).unscaledValue().longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("not representable in nano-dollars: " + usd.toPlainString(), e);
        }
    }

    /** The largest amount there is: sums and costs beyond it stop here instead of failing. */
    public static final Money MAX = new Money(Long.MAX_VALUE);

    /**
     * The sum, saturating at {@link #MAX}: a provider reporting absurd usage must not make a request fail to
     * settle, nor a budget wrap around to negative.
     */
    public Money plus(Money other) {
        long sum = nanos + other.nanos;
        // Overflow iff both operands have the sign opposite to the result.
        if (((nanos ^ sum) & (other.nanos ^ sum)) < 0) {
            return nanos < 0 ? new Money(Long.MIN_VALUE) : MAX;
        }
        return new Money(sum);
    }

    public Money minus(Money other) {
        return new Money(Math.subtractExact(nanos, other.nanos));
    }

    public boolean isZero() {
        return nanos == 0;
    }

    public BigDecimal toUsd() {
        return BigDecimal.valueOf(nanos, SCALE).stripTrailingZeros();
    }

    /** Plain decimal dollars without exponent, for headers, JSON and CSV ({@code "0.00015"}, {@code "0"}). */
    public String usd() {
        BigDecimal usd = toUsd();
        return usd.signum() == 0 ? "0" : usd.toPlainString();
    }

    @Override
    public int compareTo(Money o) {
        return Long.compare(nanos, o.nanos);
    }

    @Override
    public String toString() {
        return "$" + usd();
    }
}
