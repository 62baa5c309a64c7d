package dev.tollgate.server.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quality.RequestFacts;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecentRequestsTest {
    private static RequestFacts facts(String id, String key, Instant at) {
        return new RequestFacts(id, id, at, key, null, "fast", null, null, null);
    }

    @Test
    void findsARequestOnlyByItsOwnKey() {
        var recent = new RecentRequests(1024, Duration.ofHours(1));
        var mine = facts("req_1", "app", Instant.now());
        recent.add(mine);
        recent.add(facts("req_2", null, Instant.now()));
        assertThat(recent.find("req_1", "app")).isSameAs(mine);
        assertThat(recent.find("req_1", "other")).isNull();
        assertThat(recent.find("req_1", null)).isNull();
        assertThat(recent.find("req_2", null)).isNotNull();
        assertThat(recent.find("req_3", "app")).isNull();
    }

    @Test
    void aLaterRequestWithTheSameIdReplacesTheEarlierOne() {
        var recent = new RecentRequests(1024, Duration.ofHours(1));
        recent.add(facts("req_1", "app", Instant.now().minusSeconds(5)));
        var later = facts("req_1", "app", Instant.now());
        recent.add(later);
        assertThat(recent.find("req_1", "app")).isSameAs(later);
    }

    @Test
    void forgetsRequestsOlderThanTheAgeLimit() {
        var recent = new RecentRequests(1024, Duration.ofMinutes(1));
        recent.add(facts("old", "app", Instant.now().minus(Duration.ofMinutes(2))));
        assertThat(recent.find("old", "app")).isNull();
    }

    @Test
    void aFullTableForgetsOldRequestsButNeverAnswersWithAnotherOne() {
        var recent = new RecentRequests(64, Duration.ofHours(1));
        for (int i = 0; i < 10_000; i++) {
            recent.add(facts("req_" + i, "app", Instant.now()));
        }
        int found = 0;
        for (int i = 0; i < 10_000; i++) {
            RequestFacts f = recent.find("req_" + i, "app");
            if (f != null) {
                assertThat(f.requestId()).isEqualTo("req_" + i);
                found++;
            }
        }
        assertThat(found).isPositive().isLessThanOrEqualTo(64);
        assertThat(recent.find("req_9999", "app")).isNotNull(); // the newest is always there
    }
}
