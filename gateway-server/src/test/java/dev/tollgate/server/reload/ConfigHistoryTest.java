package dev.tollgate.server.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Versions are numbered for good, and the oldest make room by count and by size, never the one in force. */
class ConfigHistoryTest {
    private final ConfigHistory history = new ConfigHistory();

    @Test
    void theNewestHundredAreKeptAndNumbersNeverRepeat() {
        for (int i = 1; i <= ConfigHistory.KEPT + 5; i++) {
            history.add("models: " + i, Instant.EPOCH, "test", null);
        }
        assertThat(history.current().number()).isEqualTo(ConfigHistory.KEPT + 5);
        assertThat(history.oldest()).isEqualTo(6);
        assertThat(history.get(5)).isNull();
        assertThat(history.newestFirst()).hasSize(ConfigHistory.KEPT)
                .first().isEqualTo(history.current());
    }

    @Test
    void largeTextsMakeRoomBySizeButTheCurrentOneStays() {
        String big = "x".repeat((int) (ConfigHistory.KEPT_CHARS / 4)); // three fit, not four
        for (int i = 0; i < 4; i++) {
            history.add(big + i, Instant.EPOCH, "test", null);
        }
        assertThat(history.newestFirst()).extracting(ConfigVersion::number).containsExactly(4, 3, 2);
        String huge = "y".repeat((int) ConfigHistory.KEPT_CHARS + 1);
        history.add(huge, Instant.EPOCH, "test", null);
        assertThat(history.newestFirst()).extracting(ConfigVersion::number).containsExactly(5);
    }
}
