package dev.tollgate.server.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.server.testing.NoMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class FeedbackDeskTest {
    /** A ledger whose look-ups wait until the test answers them; ratings are stored at once. */
    static final class WaitingStore extends StubQualityStore {
        final List<CompletableFuture<RequestFacts>> lookups = new ArrayList<>();

        @Override
        public synchronized CompletionStage<RequestFacts> findRequest(String requestId, String key) {
            var lookup = new CompletableFuture<RequestFacts>();
            lookups.add(lookup);
            return lookup;
        }

        @Override
        public CompletionStage<Void> saveFeedback(Feedback feedback) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private static byte[] rating(String id) {
        return ("{\"request_id\":\"" + id + "\",\"score\":5}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void feedbackWaitingOnTheLedgerIsBoundedAndTheBoundFreesAsLookUpsEnd() {
        var store = new WaitingStore();
        var desk = new FeedbackDesk(new RecentRequests(64, Duration.ofHours(1)), store, new NoMetrics(),
                new PiiRedactor(PiiDetector.all()), Clock.systemUTC(), accepted -> { });
        List<CompletionStage<FeedbackDesk.Result>> waiting = new ArrayList<>();
        for (int i = 0; i < FeedbackDesk.MAX_WAITING_ON_LEDGER; i++) {
            waiting.add(desk.rate("app", rating("made-up-" + i)));
        }
        assertThat(waiting).allSatisfy(r -> assertThat(r.toCompletableFuture()).isNotDone());

        // Answered at once, without a look-up (getNow: a desk without the bound would leave it waiting).
        var refused = desk.rate("app", rating("one-too-many")).toCompletableFuture().getNow(null);
        assertThat(refused).isInstanceOfSatisfying(FeedbackDesk.Result.Refused.class,
                r -> assertThat(r.error().kind()).isEqualTo(ErrorKind.GATEWAY_OVERLOADED));
        assertThat(store.lookups).hasSize(FeedbackDesk.MAX_WAITING_ON_LEDGER); // refused before any look-up

        store.lookups.get(0).complete(null); // not found: 404, and a place is free again
        assertThat(waiting.get(0).toCompletableFuture().getNow(null)).isInstanceOf(FeedbackDesk.Result.Refused.class);
        desk.rate("app", rating("next"));
        assertThat(store.lookups).hasSize(FeedbackDesk.MAX_WAITING_ON_LEDGER + 1);
    }
}
