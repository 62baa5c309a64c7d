package dev.tollgate.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Purge notices survive the trip between replicas, and anything else on the channel is ignored. */
class PurgeNoticeTest {
    @Test
    void everyCombinationOfModelAndScopeComesBackAsSent() {
        for (String model : new String[] {null, "gpt-4o", "a:b*c", "*"}) {
            for (String scope : new String[] {null, "team:support", "=", "global"}) {
                assertThat(PurgeNotice.decode(PurgeNotice.encode(model, scope)))
                        .isEqualTo(new PurgeNotice(model, scope));
            }
        }
    }

    @Test
    void otherMessagesAreNotNotices() {
        for (String garbage : new String[] {"", "*", "hello", "*\0", "\0*", "x\0*", "*\0=", "=\0*", "==\0**"}) {
            assertThat(PurgeNotice.decode(garbage.getBytes(StandardCharsets.UTF_8))).as(garbage).isNull();
        }
    }
}
