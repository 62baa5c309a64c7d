package dev.tollgate.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.DeploymentLoad;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.Resilience;
import dev.tollgate.core.routing.Timeouts;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentHealthTest {
    private static final Provider P = new Provider("p", "openai", URI.create("http://127.0.0.1:9/v1"), null,
            "authorization", List.of(), Timeouts.DEFAULTS, null, null);
    private static final Deployment D = new Deployment("m/p/a", P, "a", 1, Limits.NONE);
    /** Opens at 50% failures over 4 calls; open 100 ms; 2 probes. */
    private static final Resilience.Breaker BREAKER = new Resilience.Breaker(50, 100, Duration.ofSeconds(10), 4, 4,
            Duration.ofMillis(100), 2);
    private static final Resilience SETTINGS = settings(BREAKER, 0);

    private final ManualTime time = new ManualTime();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final DeploymentHealth health = new DeploymentHealth(metrics, time, time::nanoTime);

    private static Resilience settings(Resilience.Breaker breaker, int maxConcurrent) {
        return new Resilience(Resilience.Retries.DEFAULTS, breaker, maxConcurrent,
                Resilience.ClientControls.DEFAULTS);
    }

    private static GatewayError error(ErrorKind kind) {
        return GatewayError.of(kind, "x");
    }

    private void fail(int times, ErrorKind kind) {
        for (int i = 0; i < times; i++) {
            health.begin(D, SETTINGS).end(error(kind));
        }
    }

    private static HttpHeaders headers(String... namesAndValues) {
        var h = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    @Test
    void aDeploymentNeverSeenIsAvailableAndUnknown() {
        assertThat(health.unavailableFor(D)).isZero();
        assertThat(health.load(D)).isEqualTo(DeploymentLoad.UNKNOWN);
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.CLOSED);
    }

    @Test
    void theBreakerOpensAfterFailuresAndRefusesUntilItsOpenTimeIsOver() {
        fail(4, ErrorKind.PROVIDER_ERROR);
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.OPEN);
        assertThat(metrics.states).containsExactly("m/p/a=open");
        assertThat(health.begin(D, SETTINGS)).isNull();
        assertThat(health.unavailableFor(D)).isEqualTo(Duration.ofMillis(100));
        time.advance(Duration.ofMillis(60));
        assertThat(health.unavailableFor(D)).isEqualTo(Duration.ofMillis(40));
        assertThat(health.begin(D, SETTINGS)).isNull();
    }

    @Test
    void afterItsOpenTimeItLetsProbesThroughAndClosesWhenTheySucceed() {
        fail(4, ErrorKind.PROVIDER_TIMEOUT);
        time.advance(Duration.ofMillis(101));
        assertThat(health.unavailableFor(D)).isZero();
        assertThat(health.unavailableFor(D)).isZero(); // reading never takes a probe's place
        var first = health.begin(D, SETTINGS);
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.HALF_OPEN);
        var second = health.begin(D, SETTINGS);
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(health.begin(D, SETTINGS)).as("only two probes").isNull();
        assertThat(health.unavailableFor(D)).isEqualTo(DeploymentHealth.BUSY_HINT);
        first.end(null);
        second.end(null);
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.CLOSED);
        assertThat(metrics.states).containsExactly("m/p/a=open", "m/p/a=half_open", "m/p/a=closed");
        assertThat(health.begin(D, SETTINGS)).isNotNull();
    }

    @Test
    void aFailedProbeOpensItAgainForAnotherFullOpenTime() {
        fail(4, ErrorKind.PROVIDER_UNREACHABLE);
        time.advance(Duration.ofMillis(150));
        health.begin(D, SETTINGS).end(error(ErrorKind.PROVIDER_OVERLOADED));
        health.begin(D, SETTINGS).end(null);
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.OPEN);
        assertThat(health.unavailableFor(D)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void callsSlowToTheirHeadOpenItWhenTheSlowRateIsReached() {
        var slow = settings(new Resilience.Breaker(100, 50, Duration.ofMillis(10), 4, 4, Duration.ofSeconds(1), 1),
                0);
        for (int i = 0; i < 4; i++) {
            var attempt = health.begin(D, slow);
            time.advance(Duration.ofMillis(20));
            attempt.head(200, EmptyHttpHeaders.INSTANCE);
            time.advance(Duration.ofSeconds(5)); // a long stream after a slow head: only the head counts
            attempt.end(null);
        }
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.OPEN);
    }

    @Test
    void aStreamLongAfterAQuickHeadIsNotSlow() {
        var slow = settings(new Resilience.Breaker(100, 50, Duration.ofMillis(10), 4, 4, Duration.ofSeconds(1), 1),
                0);
        for (int i = 0; i < 4; i++) {
            var attempt = health.begin(D, slow);
            time.advance(Duration.ofMillis(2));
            attempt.head(200, EmptyHttpHeaders.INSTANCE);
            time.advance(Duration.ofSeconds(5));
            attempt.end(null);
        }
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.CLOSED);
    }

    @Test
    void refusalsByTheProviderCountAsAnswers() {
        fail(1, ErrorKind.PROVIDER_ERROR);
        fail(1, ErrorKind.PROVIDER_BAD_REQUEST);
        fail(1, ErrorKind.CONTENT_FILTERED);
        fail(1, ErrorKind.CONTEXT_TOO_LONG);
        fail(1, ErrorKind.PROVIDER_ERROR);
        assertThat(health.state(D.id())).as("1 failure in the last 4").isEqualTo(DeploymentState.CLOSED);
        fail(1, ErrorKind.PROVIDER_ERROR);
        assertThat(health.state(D.id())).as("2 failures in the last 4: the answers were counted")
                .isEqualTo(DeploymentState.OPEN);
    }

    @Test
    void attemptsCutShortByTheClientOrTheGatewayAreNotCounted() {
        fail(3, ErrorKind.PROVIDER_ERROR);
        fail(10, ErrorKind.CLIENT_CANCELLED);
        fail(10, ErrorKind.INTERNAL);
        assertThat(health.state(D.id())).as("still 3 calls, fewer than the minimum").isEqualTo(DeploymentState.CLOSED);
        fail(1, ErrorKind.PROVIDER_ERROR);
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.OPEN);
    }

    @Test
    void aCancelledProbeGivesItsPlaceBack() {
        var oneProbe = settings(new Resilience.Breaker(50, 100, Duration.ofSeconds(10), 4, 4, Duration.ofMillis(100),
                1), 0);
        for (int i = 0; i < 4; i++) {
            health.begin(D, oneProbe).end(error(ErrorKind.PROVIDER_ERROR));
        }
        time.advance(Duration.ofMillis(101));
        health.begin(D, oneProbe).end(error(ErrorKind.CLIENT_CANCELLED));
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.HALF_OPEN);
        var probe = health.begin(D, oneProbe);
        assertThat(probe).isNotNull();
        probe.end(null);
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.CLOSED);
    }

    @Test
    void theBulkheadCapsConcurrentAttempts() {
        var capped = settings(BREAKER, 2);
        var a = health.begin(D, capped);
        var b = health.begin(D, capped);
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(health.begin(D, capped)).isNull();
        assertThat(health.unavailableFor(D)).isEqualTo(DeploymentHealth.BUSY_HINT);
        assertThat(health.load(D).inFlight()).isEqualTo(2);
        a.end(null);
        assertThat(health.unavailableFor(D)).isZero();
        assertThat(health.begin(D, capped)).isNotNull();
    }

    @Test
    void aRefusalByTheBulkheadDoesNotUseUpAHalfOpenProbe() {
        var capped = settings(new Resilience.Breaker(50, 100, Duration.ofSeconds(10), 4, 4, Duration.ofMillis(100),
                1), 1);
        for (int i = 0; i < 4; i++) {
            health.begin(D, capped).end(error(ErrorKind.PROVIDER_ERROR));
        }
        time.advance(Duration.ofMillis(101));
        var probe = health.begin(D, capped);
        assertThat(health.begin(D, capped)).isNull();
        probe.end(null);
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.CLOSED);
    }

    @Test
    void endIsIdempotent() {
        var capped = settings(BREAKER, 1);
        var a = health.begin(D, capped);
        a.end(null);
        a.end(null);
        a.end(error(ErrorKind.PROVIDER_ERROR));
        assertThat(health.load(D).inFlight()).isZero();
        var b = health.begin(D, capped);
        assertThat(b).isNotNull();
        assertThat(health.begin(D, capped)).as("the double end freed no extra place").isNull();
        b.end(null);
        fail(1, ErrorKind.PROVIDER_ERROR);
        assertThat(health.state(D.id())).as("one failure of four").isEqualTo(DeploymentState.CLOSED);
    }

    @Test
    void aRateLimitCoolsItDownUntilRetryAfterWithoutOpeningTheBreaker() {
        for (int i = 0; i < 10; i++) {
            health.begin(D, SETTINGS).end(error(ErrorKind.PROVIDER_RATE_LIMITED).withRetryAfter(Duration.ofSeconds(5)));
        }
        assertThat(health.unavailableFor(D)).isEqualTo(Duration.ofSeconds(5));
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.COOLING);
        assertThat(metrics.states).last().isEqualTo("m/p/a=cooling");
        assertThat(health.begin(D, SETTINGS)).as("a cooldown advises, it does not refuse").isNotNull();
        time.advance(Duration.ofSeconds(3));
        assertThat(health.unavailableFor(D)).isEqualTo(Duration.ofSeconds(2));
        time.advance(Duration.ofSeconds(2));
        assertThat(health.unavailableFor(D)).isZero();
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.CLOSED);
    }

    @Test
    void aRateLimitWithoutRetryAfterCoolsUntilTheUsedUpWindowResets() {
        var attempt = health.begin(D, SETTINGS);
        attempt.head(429, headers("x-ratelimit-limit-requests", "60", "x-ratelimit-remaining-requests", "0",
                "x-ratelimit-reset-requests", "20s"));
        attempt.end(error(ErrorKind.PROVIDER_RATE_LIMITED));
        assertThat(health.unavailableFor(D)).isEqualTo(Duration.ofSeconds(20));

        var other = new Deployment("m/p/b", P, "b", 1, Limits.NONE);
        health.begin(other, SETTINGS).end(error(ErrorKind.PROVIDER_RATE_LIMITED));
        assertThat(health.unavailableFor(other)).isEqualTo(DeploymentHealth.RATE_LIMIT_COOLDOWN);
    }

    @Test
    void quotaHeadroomComesFromTheProvidersHeadersUntilTheyReset() {
        var attempt = health.begin(D, SETTINGS);
        attempt.head(200, headers("x-ratelimit-limit-requests", "100", "x-ratelimit-remaining-requests", "25",
                "x-ratelimit-reset-requests", "30s", "x-ratelimit-limit-tokens", "1000",
                "x-ratelimit-remaining-tokens", "500", "x-ratelimit-reset-tokens", "10s"));
        attempt.end(null);
        assertThat(health.load(D).quotaHeadroom()).isEqualTo(0.25);
        assertThat(health.unavailableFor(D)).isZero();
        time.advance(Duration.ofSeconds(31));
        assertThat(health.load(D).quotaHeadroom()).isEqualTo(1);
    }

    @Test
    void aUsedUpQuotaOnASuccessMakesItUnavailableUntilTheReset() {
        var attempt = health.begin(D, SETTINGS);
        attempt.head(200, headers("anthropic-ratelimit-tokens-limit", "1000", "anthropic-ratelimit-tokens-remaining",
                "0", "anthropic-ratelimit-tokens-reset", "2025-06-01T12:00:03Z"));
        attempt.end(null);
        assertThat(health.unavailableFor(D)).isEqualTo(Duration.ofSeconds(3));
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.COOLING);
        assertThat(health.load(D).quotaHeadroom()).isZero();
        time.advance(Duration.ofSeconds(3));
        assertThat(health.unavailableFor(D)).isZero();
    }

    @Test
    void latencyIsAnExponentialMeanOfSuccessfulHeadsAndTimeouts() {
        long[] waits = {100, 200, 50};
        for (long ms : waits) {
            var attempt = health.begin(D, SETTINGS);
            time.advance(Duration.ofMillis(ms));
            attempt.head(200, EmptyHttpHeaders.INSTANCE);
            attempt.end(null);
        }
        // 100, then 100 + 0.3 * (200 - 100) = 130, then 130 + 0.3 * (50 - 130) = 106
        assertThat(health.load(D).latencyNanos()).isEqualTo(106_000_000L);

        var error = health.begin(D, SETTINGS);
        time.advance(Duration.ofMillis(1));
        error.head(503, EmptyHttpHeaders.INSTANCE);
        error.end(error(ErrorKind.PROVIDER_OVERLOADED));
        assertThat(health.load(D).latencyNanos()).as("a quick error is no sample").isEqualTo(106_000_000L);

        var hung = health.begin(D, SETTINGS);
        time.advance(Duration.ofMillis(1106));
        hung.end(error(ErrorKind.PROVIDER_TIMEOUT));
        assertThat(health.load(D).latencyNanos()).isEqualTo(406_000_000L);
    }

    @Test
    void serverLoadIsUnknownOnceStale() {
        health.serverLoad(D.id(), 7.5);
        assertThat(health.load(D).serverLoad()).isEqualTo(7.5);
        time.advance(Duration.ofSeconds(10));
        assertThat(health.load(D).serverLoad()).isEqualTo(7.5);
        time.advance(Duration.ofSeconds(1));
        assertThat(health.load(D).serverLoad()).isEqualTo(-1);
    }

    @Test
    void changedSettingsRebuildTheGuardsAndRetainForgetsRemovedDeployments() {
        fail(4, ErrorKind.PROVIDER_ERROR);
        var longerWindow = settings(new Resilience.Breaker(50, 100, Duration.ofSeconds(10), 8, 8,
                Duration.ofMillis(100), 2), 0);
        assertThat(health.begin(D, SETTINGS)).isNull();
        var attempt = health.begin(D, longerWindow);
        assertThat(attempt).as("a fresh breaker for new settings").isNotNull();
        attempt.end(null);
        assertThat(health.state(D.id())).isEqualTo(DeploymentState.CLOSED);

        var capped = settings(longerWindow.breaker(), 1);
        var held = health.begin(D, capped);
        assertThat(health.begin(D, capped)).isNull();
        assertThat(health.begin(D, settings(longerWindow.breaker(), 2))).as("a new cap, a new bulkhead").isNotNull();
        held.end(null);

        health.retain(List.of("m/p/other"));
        assertThat(health.load(D)).isEqualTo(DeploymentLoad.UNKNOWN);
        metrics.states.clear();
        health.report();
        assertThat(metrics.states).isEmpty();
    }

    @Test
    void reportGivesEveryKnownDeploymentsState() {
        var other = new Deployment("m/p/b", P, "b", 1, Limits.NONE);
        health.begin(D, SETTINGS).end(null);
        health.begin(other, SETTINGS).end(error(ErrorKind.PROVIDER_RATE_LIMITED));
        metrics.states.clear();
        health.report();
        assertThat(metrics.states).containsExactlyInAnyOrder("m/p/a=closed", "m/p/b=cooling");
    }
}
