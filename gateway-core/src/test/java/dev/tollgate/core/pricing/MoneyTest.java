package dev.tollgate.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MoneyTest {
    @Test
    void parsesAndPrintsExactDecimalDollars() {
        assertThat(Money.ofUsd("0.15").nanos()).isEqualTo(150_000_000);
        assertThat(Money.ofUsd("0.000000001").nanos()).isEqualTo(1);
        assertThat(Money.ofUsd("12").usd()).isEqualTo("12");
        assertThat(Money.ofUsd("0.00015").usd()).isEqualTo("0.00015");
        assertThat(new Money(1).usd()).isEqualTo("0.000000001");
        assertThat(Money.ZERO.usd()).isEqualTo("0");
        assertThat(Money.ofUsd("1.5").plus(Money.ofUsd("0.25")).minus(Money.ofUsd("0.75"))).isEqualTo(Money.ofUsd("1"));
        assertThat(Money.ofUsd("2").toString()).isEqualTo("$2");
    }

    @Test
    void refusesWhatItCannotHoldExactly() {
        assertThatThrownBy(() -> Money.ofUsd("0.0000000001")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Money.ofUsd("99999999999")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sumsSaturateInsteadOfWrappingOrFailing() {
        assertThat(new Money(Long.MAX_VALUE).plus(new Money(1))).isEqualTo(Money.MAX);
        assertThat(Money.MAX.plus(Money.MAX)).isEqualTo(Money.MAX);
        assertThat(new Money(Long.MIN_VALUE).plus(new Money(-1))).isEqualTo(new Money(Long.MIN_VALUE));
        assertThat(new Money(5).plus(new Money(-7))).isEqualTo(new Money(-2));
    }
}
