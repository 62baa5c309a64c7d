package dev.tollgate.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UpstreamQuotaTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private static HttpHeaders headers(String... namesAndValues) {
        var h = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    @Test
    void readsOpenAiHeaders() {
        var quota = UpstreamQuota.parse(headers(
                "x-ratelimit-limit-requests", "500", "x-ratelimit-remaining-requests", "499",
                "x-ratelimit-reset-requests", "120ms",
                "x-ratelimit-limit-tokens", "30000", "x-ratelimit-remaining-tokens", "7500",
                "x-ratelimit-reset-tokens", "6m0s"), NOW);
        assertThat(quota.requests()).isEqualTo(new UpstreamQuota.Window(500, 499, NOW.plusMillis(120)));
        assertThat(quota.tokens()).isEqualTo(new UpstreamQuota.Window(30000, 7500, NOW.plusSeconds(360)));
        assertThat(quota.headroom(NOW)).isEqualTo(0.25);
        assertThat(quota.headroom(NOW.plusSeconds(1))).as("the request window reset").isEqualTo(0.25);
        assertThat(quota.headroom(NOW.plusSeconds(360))).as("both reset").isEqualTo(1);
        assertThat(quota.exhaustedUntil(NOW)).isNull();
    }

    @Test
    void readsAnthropicHeadersAndTakesTheTightestTokenWindow() {
        var quota = UpstreamQuota.parse(headers(
                "anthropic-ratelimit-requests-limit", "50", "anthropic-ratelimit-requests-remaining", "49",
                "anthropic-ratelimit-requests-reset", "2025-06-01T12:00:01Z",
                "anthropic-ratelimit-tokens-limit", "100000", "anthropic-ratelimit-tokens-remaining", "90000",
                "anthropic-ratelimit-tokens-reset", "2025-06-01T12:00:05Z",
                "anthropic-ratelimit-input-tokens-limit", "80000", "anthropic-ratelimit-input-tokens-remaining",
                "8000", "anthropic-ratelimit-input-tokens-reset", "2025-06-01T14:00:06+02:00",
                "anthropic-ratelimit-output-tokens-limit", "20000", "anthropic-ratelimit-output-tokens-remaining",
                "15000", "anthropic-ratelimit-output-tokens-reset", "2025-06-01T12:00:07Z"), NOW);
        assertThat(quota.requests()).isEqualTo(new UpstreamQuota.Window(50, 49, NOW.plusSeconds(1)));
        assertThat(quota.tokens()).isEqualTo(new UpstreamQuota.Window(80000, 8000, NOW.plusSeconds(6)));
        assertThat(quota.headroom(NOW)).isEqualTo(0.1);
    }

    @Test
    void aUsedUpWindowSaysUntilWhen() {
        var quota = UpstreamQuota.parse(headers(
                "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "1h2m3.5s",
                "x-ratelimit-limit-tokens", "1000", "x-ratelimit-remaining-tokens", "0",
                "x-ratelimit-reset-tokens", "20s"), NOW);
        assertThat(quota.requests().limit()).as("Azure may leave the limit out").isEqualTo(-1);
        assertThat(quota.exhaustedUntil(NOW)).isEqualTo(NOW.plusMillis(3_723_500));
        assertThat(quota.headroom(NOW)).isZero();
        assertThat(quota.exhaustedUntil(NOW.plus(Duration.ofHours(2)))).isNull();
    }

    @Test
    void whatIsLeftWithoutALimitOrResetAssumesAMinuteWindow() {
        var quota = UpstreamQuota.parse(headers("x-ratelimit-remaining-tokens", "10"), NOW);
        assertThat(quota.tokens()).isEqualTo(new UpstreamQuota.Window(-1, 10, NOW.plus(UpstreamQuota.DEFAULT_WINDOW)));
        assertThat(quota.headroom(NOW)).as("a share cannot be told").isEqualTo(1);
    }

    @Test
    void noHeadersIsNone() {
        assertThat(UpstreamQuota.parse(EmptyHttpHeaders.INSTANCE, NOW)).isEqualTo(UpstreamQuota.NONE);
        assertThat(UpstreamQuota.NONE.isEmpty()).isTrue();
        assertThat(UpstreamQuota.NONE.headroom(NOW)).isEqualTo(1);
    }

    @Test
    void goDurations() {
        assertThat(UpstreamQuota.duration("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(UpstreamQuota.duration("6m0s")).isEqualTo(Duration.ofMinutes(6));
        assertThat(UpstreamQuota.duration("20ms")).isEqualTo(Duration.ofMillis(20));
        assertThat(UpstreamQuota.duration("1h2m3.5s")).isEqualTo(Duration.ofMillis(3_723_500));
        assertThat(UpstreamQuota.duration("7.66s")).isEqualTo(Duration.ofMillis(7660));
        assertThat(UpstreamQuota.duration(" 30 ")).as("bare seconds").isEqualTo(Duration.ofSeconds(30));
        assertThat(UpstreamQuota.duration("0s")).isZero();
        assertThat(UpstreamQuota.duration("250us")).isEqualTo(Duration.ofNanos(250_000));
        for (String garbage : new String[] {"", "s", "1x", "-1s", "1.2.3s", "1e3s", "1s2", "ms", "49h", "NaN",
                "Infinity", "1h 2m", "99999999999999999999999h", "１s"}) {
            assertThat(UpstreamQuota.duration(garbage)).as(garbage).isNull();
        }
    }

    @Test
    void garbageValuesAreIgnored() {
        var quota = UpstreamQuota.parse(headers(
                "x-ratelimit-limit-requests", "lots", "x-ratelimit-remaining-requests", "-5",
                "x-ratelimit-limit-tokens", "1000", "x-ratelimit-remaining-tokens", "12.5",
                "anthropic-ratelimit-requests-remaining", "3", "anthropic-ratelimit-requests-reset", "tomorrow",
                "anthropic-ratelimit-tokens-remaining", "9", "anthropic-ratelimit-tokens-reset",
                "2999-01-01T00:00:00Z"), NOW);
        assertThat(quota.requests()).isEqualTo(new UpstreamQuota.Window(-1, 3, NOW.plus(UpstreamQuota.DEFAULT_WINDOW)));
        assertThat(quota.tokens()).as("a reset centuries off is garbage")
                .isEqualTo(new UpstreamQuota.Window(-1, 9, NOW.plus(UpstreamQuota.DEFAULT_WINDOW)));
    }

    @Test
    void randomValuesNeverThrowAndKeepHeadroomInRange() {
        String[] names = {"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
            "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
            "anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining",
            "anthropic-ratelimit-tokens-reset", "anthropic-ratelimit-output-tokens-remaining"};
        String alphabet = "0123456789.:-+TZhmsuµn ,e";
        var random = new SplittableRandom(42);
        for (int round = 0; round < 5000; round++) {
            // Unvalidated, as a lenient decoder could hand over any bytes.
            HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
            for (String name : names) {
                if (random.nextBoolean()) {
                    var value = new StringBuilder();
                    int length = random.nextInt(30);
                    for (int i = 0; i < length; i++) {
                        value.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    h.add(name, value.toString());
                }
            }
            var quota = UpstreamQuota.parse(h, NOW);
            assertThat(quota.headroom(NOW)).isBetween(0.0, 1.0);
            Instant until = quota.exhaustedUntil(NOW);
            if (until != null) {
                assertThat(until).isAfter(NOW).isBeforeOrEqualTo(NOW.plus(UpstreamQuota.MAX_RESET));
            }
        }
    }
}
