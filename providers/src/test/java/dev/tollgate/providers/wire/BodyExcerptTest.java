package dev.tollgate.providers.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BodyExcerptTest {
    private static final String KEY = "sk-proj-CANARYexcerpt0123456789abcd";

    @Test
    void cutsBeforeACredentialTheCutWouldSplit() {
        // Cut at 28, 15 characters into the key: too few left for any scrub to know it as one.
        String text = "bad key here " + KEY + " (see docs)";
        String cut = BodyExcerpt.truncate(text, 28);
        assertThat(cut).isEqualTo("bad key here ");
        assertThat(cut).doesNotContain("sk-proj");
    }

    @Test
    void cutsAtTheLimitElsewhere() {
        String text = "x".repeat(30) + " " + KEY;
        assertThat(BodyExcerpt.truncate(text, 20)).isEqualTo("x".repeat(20));
        assertThat(BodyExcerpt.truncate(text, 100)).isSameAs(text);
        // A key wholly before the cut is kept for the scrub that follows to replace.
        assertThat(BodyExcerpt.truncate(KEY + " and more text", KEY.length() + 2)).isEqualTo(KEY + " a");
    }

    @Test
    void neverSplitsASurrogatePair() {
        assertThat(BodyExcerpt.truncate("ab\uD83D\uDE00cd", 3)).isEqualTo("ab");
    }
}
