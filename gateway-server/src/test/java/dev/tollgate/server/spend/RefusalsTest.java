package dev.tollgate.server.spend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Denial;
import dev.tollgate.core.quota.Dimension;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RefusalsTest {
    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    @Test
    void scopesReadAsWords() {
        assertThat(Refusals.describe("key:bot")).isEqualTo("key 'bot'");
        assertThat(Refusals.describe("team:support")).isEqualTo("team 'support'");
        assertThat(Refusals.describe("user:bot:alice:42")).isEqualTo("end user 'alice:42' of key 'bot'");
        assertThat(Refusals.describe("global")).isEqualTo("the gateway's global budget");
        assertThat(Refusals.kind("user:bot:alice")).isEqualTo("user");
        assertThat(Refusals.kind("global")).isEqualTo("global");
    }

    @Test
    void aRateLimitSaysTheLimitAndWhenToComeBack() {
        GatewayError e = Refusals.of(new Denial("key:bot", Dimension.REQUESTS, 60, 60, 0, Duration.ofMillis(2500),
                null), Money.ZERO, NOW);
        assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.code()).isEqualTo("rate_limit_exceeded");
        assertThat(e.message()).contains("key 'bot'").contains("Limit 60").contains("try again in 3s");
        assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void aRequestLargerThanTheTokenLimitSaysSoAndStillCarriesRetryAfter() {
        GatewayError e = Refusals.of(new Denial("team:t", Dimension.TOKENS, 1000, 0, 0, null, null), Money.ZERO,
                NOW);
        assertThat(e.code()).isEqualTo("tokens_exceed_limit");
        assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aBudgetRefusalNamesLimitSpendAndReset() {
        Instant reset = Instant.parse("2026-12-01T00:00:00Z");
        GatewayError e = Refusals.of(new Denial("team:support", Dimension.BUDGET, Money.ofUsd("500").nanos(),
                Money.ofUsd("499.5").nanos(), Money.ofUsd("0.75").nanos(), null, reset), Money.ofUsd("0.02"), NOW);
        assertThat(e.kind()).isEqualTo(ErrorKind.BUDGET_EXCEEDED);
        assertThat(e.code()).isEqualTo("budget_exceeded");
        assertThat(e.message()).contains("team 'support'").contains("$499.5 of $500").contains("$0.75 held")
                .contains("this request may cost up to $0.02").contains("resets at 2026-12-01T00:00:00Z");
        assertThat(e.retryAfter()).isEqualTo(Duration.between(NOW, reset));
        GatewayError lifetime = Refusals.of(new Denial("key:k", Dimension.BUDGET, 10, 10, 0, null, Instant.MAX),
                Money.ZERO, NOW);
        assertThat(lifetime.retryAfter()).isEqualTo(Duration.ofDays(1));
        assertThat(lifetime.message()).contains("does not reset");
    }
}
