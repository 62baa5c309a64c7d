package dev.tollgate.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.routing.RequestOptions;
import dev.tollgate.core.routing.Resilience;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestControlsTest {
    private static final Resilience.ClientControls BOUNDS =
            new Resilience.ClientControls(Duration.ofMinutes(2), 2, true);

    private static RequestOptions read(String... headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return RequestControls.read(h, BOUNDS);
    }

    @Test
    void noControlsAreTheDefaults() {
        assertThat(read()).isSameAs(RequestOptions.DEFAULTS);
    }

    @Test
    void timeoutsInSecondsOrWithAUnitAreCutToTheBound() {
        assertThat(read("x-tollgate-timeout", "30").timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(read("x-tollgate-timeout", "1500ms").timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(read("x-tollgate-timeout", "1h").timeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void retriesAreCutToTheBoundAndFallbacksTurnOff() {
        RequestOptions o = read("x-tollgate-retries", "9", "x-tollgate-fallbacks", "OFF");
        assertThat(o.retries()).isEqualTo(2);
        assertThat(o.fallbacks()).isFalse();
        assertThat(read("x-tollgate-fallbacks", "on").fallbacks()).isTrue();
    }

    @Test
    void fallbacksStayOnWhenTheAdminSaysSo() {
        HttpHeaders h = new DefaultHttpHeaders().add("x-tollgate-fallbacks", "off");
        var strict = new Resilience.ClientControls(Duration.ofMinutes(2), 2, false);
        assertThat(RequestControls.read(h, strict).fallbacks()).isTrue();
    }

    @Test
    void malformedValuesAreA400NamingTheHeader() {
        for (String[] bad : new String[][] {{"x-tollgate-timeout", "soon"}, {"x-tollgate-timeout", "0"},
                {"x-tollgate-timeout", "-5s"}, {"x-tollgate-retries", "-1"}, {"x-tollgate-retries", "lots"},
                {"x-tollgate-fallbacks", "maybe"}}) {
            assertThatThrownBy(() -> read(bad))
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.error().httpStatus()).isEqualTo(400);
                        assertThat(e.error().param()).isEqualTo(bad[0]);
                    });
        }
    }
}
