package dev.tollgate.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsageTest {
    @Test
    void aStreamCutShortIsChargedForWhatWasRelayedAndMarkedEstimated() {
        // Anthropic's message_start reports the input and one output token; 2,000 tokens were relayed after it.
        Usage atStart = new Usage(1_200, 1, 1_000, 0, 0, true);
        Usage cut = atStart.cutShort(Usage.estimated(900, 2_000));
        assertThat(cut).isEqualTo(new Usage(1_200, 2_000, 1_000, 0, 0, false));
        assertThat(Usage.UNKNOWN.cutShort(Usage.estimated(10, 20))).isEqualTo(Usage.estimated(10, 20));
        assertThat(Usage.reported(10, 50).cutShort(Usage.estimated(5, 20)).outputTokens()).isEqualTo(50);
    }
}
