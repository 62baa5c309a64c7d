package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.loader;
import static dev.tollgate.config.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quality.ReviewSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReviewConfigTest {
    private static final String WITH_LEDGER = """
            storage: { ledger: "sqlite:/tmp/tollgate-review-test.db" }
            providers:
              openai: { type: openai, base_url: https://api.openai.com/v1 }
            models:
              a: { deployments: [ { provider: openai } ], review: { sample_rate: 0.5 } }
              b: { deployments: [ { provider: openai } ] }
            """;

    @Test
    void withoutTheSectionNothingIsSampled() {
        ReviewSettings review = loaded(loader().parse("t.yaml", Fixtures.MINIMAL)).snapshot().review();
        assertThat(review).isEqualTo(ReviewSettings.OFF);
        assertThat(review.anySampled()).isFalse();
    }

    @Test
    void theSectionAndAModelsOwnRateAreCompiledTogether() {
        ReviewSettings review = loaded(loader().parse("t.yaml", WITH_LEDGER
                + "review: { sample_rate: 0.1, max_chars: 500, retention: 48h }\n")).snapshot().review();
        assertThat(review.sampleRate()).isEqualTo(0.1);
        assertThat(review.maxChars()).isEqualTo(500);
        assertThat(review.retention()).isEqualTo(Duration.ofHours(48));
        assertThat(review.rate("a")).isEqualTo(0.5);
        assertThat(review.rate("b")).isEqualTo(0.1);
    }

    @Test
    void aModelsRateAloneTurnsSamplingOnForThatModel() {
        ReviewSettings review = loaded(loader().parse("t.yaml", WITH_LEDGER)).snapshot().review();
        assertThat(review.anySampled()).isTrue();
        assertThat(review.rate("b")).isZero();
    }
}
