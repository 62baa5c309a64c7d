package dev.tollgate.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.runtime.Secret;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ErrorModelTest {
    @Test
    void everyKindMapsToAnOutcomeByWhoIsAtFault() {
        assertThat(Outcome.of(ErrorKind.INVALID_REQUEST)).isEqualTo(Outcome.CALLER_ERROR);
        assertThat(Outcome.of(ErrorKind.CLIENT_CANCELLED)).isEqualTo(Outcome.CLIENT_CANCELLED);
        assertThat(Outcome.of(ErrorKind.BUDGET_EXCEEDED)).isEqualTo(Outcome.POLICY_DENIED);
        assertThat(Outcome.of(ErrorKind.PROVIDER_TIMEOUT)).isEqualTo(Outcome.PROVIDER_ERROR);
        assertThat(Outcome.of(ErrorKind.INTERNAL)).isEqualTo(Outcome.GATEWAY_ERROR);
        for (ErrorKind kind : ErrorKind.values()) {
            assertThat(kind.defaultStatus()).isBetween(400, 599);
            assertThat(Outcome.of(kind)).isNotNull();
        }
    }

    @Test
    void onlyProviderTroubleIsRetryable() {
        for (ErrorKind kind : ErrorKind.values()) {
            if (kind.retryable()) {
                assertThat(kind.fault()).isEqualTo(Fault.PROVIDER);
            }
        }
    }

    @Test
    void errorsCarryStatusAndRetryAfter() {
        var e = GatewayError.of(ErrorKind.PROVIDER_RATE_LIMITED, "slow down").withRetryAfter(Duration.ofSeconds(3));
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.retryAfter()).hasSeconds(3);
        assertThat(e.withStatus(503).httpStatus()).isEqualTo(503);
        assertThatThrownBy(() -> e.withStatus(200)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretsShowOnlyTheirReference() {
        var s = new Secret("${env:OPENAI_API_KEY}", "sk-CANARY");
        assertThat(s.toString()).isEqualTo("${env:OPENAI_API_KEY}").doesNotContain("CANARY");
        assertThat(s.reveal()).isEqualTo("sk-CANARY");
    }

    @Test
    void usageRefusesNegativeCountsAndKeepsReportedZeros() {
        assertThat(Usage.reported(0, 0).reported()).isTrue();
        assertThat(Usage.reported(3, 4).totalTokens()).isEqualTo(7);
        assertThatThrownBy(() -> Usage.reported(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
