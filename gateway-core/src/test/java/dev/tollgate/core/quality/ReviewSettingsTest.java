package dev.tollgate.core.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReviewSettingsTest {
    private static final int IDS = 10_000;

    private static ReviewSettings rate(double rate) {
        return new ReviewSettings(rate, Map.of(), 1_000, Duration.ofDays(1));
    }

    private static long sampled(ReviewSettings settings, String prefix) {
        return IntStream.range(0, IDS).filter(i -> settings.sampled(prefix + i, "m")).count();
    }

    @Test
    void aTenthOfManyIdsIsSampledWithinThreeStandardDeviations() {
        // Binomial(10,000, 0.1): sd = 30. Both gateway-style and client-style ids, which differ little.
        assertThat(sampled(rate(0.1), "req_0190a1b2c3d4")).isBetween(910L, 1_090L);
        assertThat(sampled(rate(0.1), "order-")).isBetween(910L, 1_090L);
        assertThat(sampled(rate(0.5), "x")).isBetween(4_850L, 5_150L);
    }

    @Test
    void ratesZeroAndOneAreExact() {
        assertThat(sampled(rate(0), "req_")).isZero();
        assertThat(sampled(rate(1), "req_")).isEqualTo(IDS);
        assertThat(ReviewSettings.OFF.anySampled()).isFalse();
    }

    @Test
    void theDecisionDependsOnTheIdAloneSoReplicasAgree() {
        ReviewSettings a = rate(0.3);
        ReviewSettings b = rate(0.3);
        for (int i = 0; i < 1_000; i++) {
            assertThat(a.sampled("id-" + i, "m")).isEqualTo(b.sampled("id-" + i, "m"));
        }
        // Pinned, so a change of hash (which would re-pick samples across a rolling upgrade) is noticed.
        assertThat(ReviewSettings.position("req_0")).isEqualTo(0.4738153912321771);
        assertThat(ReviewSettings.position("abc")).isEqualTo(0.054024713354027254);
    }

    @Test
    void aPairIsPlacedWhereTheTwoJoinedByANewlineAre() {
        var random = new Random(12);
        String[] alphabet = {"a", "Z", "_", "-", "0", "é", "名", "\uD83D\uDE00", "\n", " "};
        for (int i = 0; i < 2_000; i++) {
            String first = text(random, alphabet);
            String second = text(random, alphabet);
            assertThat(ReviewSettings.position(first, second)).as("%s / %s", first, second)
                    .isEqualTo(ReviewSettings.position(first + '\n' + second));
        }
    }

    private static String text(Random random, String[] alphabet) {
        var out = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) {
            out.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return out.toString();
    }

    @Test
    void aModelsOwnRateReplacesTheSectionsForThatModelOnly() {
        var settings = new ReviewSettings(0, Map.of("judged", 1.0), 1_000, Duration.ofDays(1));
        assertThat(settings.anySampled()).isTrue();
        assertThat(settings.sampled("any", "judged")).isTrue();
        assertThat(settings.sampled("any", "other")).isFalse();
        assertThat(settings.sampled("any", null)).isFalse();
    }

    @Test
    void ratesOutsideZeroToOneAreRefused() {
        assertThatThrownBy(() -> rate(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReviewSettings(0, Map.of("m", -0.1), 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reviewTextIsRedactedBeforeItIsCutAndSaysSo() {
        var redactor = new PiiRedactor(PiiDetector.all());
        ReviewText whole = ReviewText.of("mail jane@example.com now", false, redactor, 100);
        assertThat(whole).isEqualTo(new ReviewText("mail [EMAIL] now", false, 1));
        // The key straddles the cut: redacted first, so no part of it is kept.
        ReviewText cut = ReviewText.of("key sk-abcdefghijklmnopqrstuvwxyz0123 and more", false, redactor, 8);
        assertThat(cut).isEqualTo(new ReviewText("key [API", true, 1));
        ReviewText surrogate = ReviewText.of("ab\ud83d\ude00", false, redactor, 3);
        assertThat(surrogate.text()).isEqualTo("ab");
    }

    @Test
    void scoresNormaliseToZeroToOne() {
        assertThat(new FeedbackScore.Thumbs(true).normalised()).isEqualTo(1);
        assertThat(new FeedbackScore.Thumbs(false).normalised()).isEqualTo(0);
        assertThat(new FeedbackScore.Stars(1).normalised()).isEqualTo(0);
        assertThat(new FeedbackScore.Stars(4).normalised()).isEqualTo(0.75);
        assertThat(FeedbackScore.ofLabel("5")).isEqualTo(new FeedbackScore.Stars(5));
        assertThat(FeedbackScore.ofLabel("down")).isEqualTo(new FeedbackScore.Thumbs(false));
        assertThatThrownBy(() -> new FeedbackScore.Stars(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeedbackScore.ofLabel("6")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Decided on every request while a rate is between 0 and 1: deciding must not allocate. */
    @Test
    void decidingAllocatesNothing() {
        var settings = new ReviewSettings(0.01, java.util.Map.of(), 100, java.time.Duration.ofDays(1));
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        String id = "req_0190a3f2c4b5d6e7f8091a2b3c4d5e6f";
        int kept = 0;
        for (int i = 0; i < 20_000; i++) { // warm up: the JIT's own work is not the method's
            kept += settings.sampled(id, "m") ? 1 : 0;
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            kept += settings.sampled(id, "m") ? 1 : 0;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 100,000 decisions (%d kept)", kept).isLessThan(100_000);
        // Non-ASCII ids hash as their UTF-8 bytes, as before.
        assertThat(ReviewSettings.position("réq")).isNotEqualTo(ReviewSettings.position("req"));
    }
}
