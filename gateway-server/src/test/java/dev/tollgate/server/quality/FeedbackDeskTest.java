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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
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

    private static FeedbackDesk deskKnowing(String requestId, Consumer<Feedback> accepted) {
        var recent = new RecentRequests(64, Duration.ofHours(1));
        recent.add(new RequestFacts(requestId, requestId, Instant.now(), "app", "ops", "gpt", null, null, null));
        return new FeedbackDesk(recent, null, new NoMetrics(), new PiiRedactor(PiiDetector.all()),
                Clock.systemUTC(), accepted);
    }

    @Test
    void acceptedFeedbackIsHandedOnRedactedAndRefusedFeedbackIsNot() {
        List<Feedback> handed = new ArrayList<>();
        var desk = deskKnowing("req-1", handed::add);
        byte[] body = "{\"request_id\":\"req-1\",\"score\":4,\"comment\":\"mail me at ann@example.com\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(desk.rate("app", body).toCompletableFuture().join())
                .isInstanceOf(FeedbackDesk.Result.Accepted.class);
        assertThat(desk.rate("other-key", body).toCompletableFuture().join())
                .isInstanceOf(FeedbackDesk.Result.Refused.class);
        assertThat(desk.rate("app", rating("req-unknown")).toCompletableFuture().join())
                .isInstanceOf(FeedbackDesk.Result.Refused.class);
        assertThat(handed).singleElement().satisfies(f -> {
            assertThat(f.request().requestId()).isEqualTo("req-1");
            assertThat(f.comment()).doesNotContain("ann@example.com");
        });
    }

    @Test
    void aFailingConsumerOfAcceptedFeedbackDoesNotRefuseFeedbackAlreadyTaken() {
        // The rating is stored and counted by then: answering 503 would have the client send it again.
        var desk = deskKnowing("req-1", accepted -> {
            throw new IllegalStateException("evaluation broke");
        });
        assertThat(desk.rate("app", rating("req-1")).toCompletableFuture().join())
                .isInstanceOf(FeedbackDesk.Result.Accepted.class);
    }
}
