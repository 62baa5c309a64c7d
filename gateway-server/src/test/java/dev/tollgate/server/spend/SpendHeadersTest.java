package dev.tollgate.server.spend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quota.RateHeaders;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SpendHeadersTest {
    @Test
    void durationsUseOpenAisForm() {
        assertThat(SpendHeaders.duration(Duration.ZERO)).isEqualTo("0ms");
        assertThat(SpendHeaders.duration(Duration.ofMillis(120))).isEqualTo("120ms");
        assertThat(SpendHeaders.duration(Duration.ofMillis(1000))).isEqualTo("1s");
        assertThat(SpendHeaders.duration(Duration.ofMillis(1001))).isEqualTo("2s");
        assertThat(SpendHeaders.duration(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(SpendHeaders.duration(Duration.ofSeconds(360))).isEqualTo("6m0s");
        assertThat(SpendHeaders.duration(Duration.ofSeconds(3723))).isEqualTo("1h2m3s");
        assertThat(SpendHeaders.duration(Duration.ofMillis(-5))).isEqualTo("0ms");
    }

    @Test
    void onlyLimitedDimensionsGetHeaders() {
        var out = new DefaultHttpHeaders();
        SpendHeaders.rate(new RateHeaders(60, 59, Duration.ofSeconds(1), -1, -1, Duration.ZERO), out);
        assertThat(out.get("x-ratelimit-limit-requests")).isEqualTo("60");
        assertThat(out.get("x-ratelimit-remaining-requests")).isEqualTo("59");
        assertThat(out.get("x-ratelimit-reset-requests")).isEqualTo("1s");
        assertThat(out.contains("x-ratelimit-limit-tokens")).isFalse();
        SpendHeaders.rate(RateHeaders.NONE, out = new DefaultHttpHeaders());
        assertThat(out.isEmpty()).isTrue();
    }
}
