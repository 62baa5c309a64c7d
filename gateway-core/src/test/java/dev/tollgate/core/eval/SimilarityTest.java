package dev.tollgate.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimilarityTest {

    @Test
    void cosineOfKnownAngles() {
        assertThat(Similarity.cosine(new float[] {1, 0}, new float[] {1, 0})).isEqualTo(1.0);
        assertThat(Similarity.cosine(new float[] {3, 4}, new float[] {6, 8})).isCloseTo(1.0, within(1e-12));
        assertThat(Similarity.cosine(new float[] {1, 0}, new float[] {1, 1})).isCloseTo(Math.sqrt(0.5), within(1e-7));
        assertThat(Similarity.cosine(new float[] {1, 0}, new float[] {0, 1})).isEqualTo(0.0);
    }

    @Test
    void oppositeAndDirectionlessVectorsScoreZero() {
        assertThat(Similarity.cosine(new float[] {1, 2}, new float[] {-1, -2})).isEqualTo(0.0);
        assertThat(Similarity.cosine(new float[] {1, 2}, new float[] {-1, 0.1f})).isEqualTo(0.0);
        assertThat(Similarity.cosine(new float[] {0, 0}, new float[] {1, 2})).isEqualTo(0.0);
        assertThat(Similarity.cosine(new float[] {}, new float[] {})).isEqualTo(0.0);
        assertThat(Similarity.cosine(new float[] {Float.NaN, 1}, new float[] {1, 1})).isEqualTo(0.0);
    }

    @Test
    void scoresStayInsideZeroToOne() {
        var random = new Random(3);
        for (int i = 0; i < 1_000; i++) {
            float[] a = new float[1 + random.nextInt(64)];
            float[] b = new float[a.length];
            for (int j = 0; j < a.length; j++) {
                a[j] = (float) random.nextGaussian();
                b[j] = random.nextBoolean() ? a[j] : (float) random.nextGaussian();
            }
            assertThat(Similarity.cosine(a, b)).isBetween(0.0, 1.0);
            assertThat(Similarity.cosine(a, a)).isBetween(1.0 - 1e-9, 1.0);
        }
    }

    /** Squares of large floats would overflow a float sum, tiny ones underflow it: the sums are doubles. */
    @Test
    void extremeMagnitudesAndLongVectorsStillCompare() {
        float[] huge = new float[4096];
        float[] tiny = new float[4096];
        java.util.Arrays.fill(huge, Float.MAX_VALUE);
        java.util.Arrays.fill(tiny, Float.MIN_VALUE);
        assertThat(Similarity.cosine(huge, huge)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(Similarity.cosine(tiny, tiny)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(Similarity.cosine(huge, tiny)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        float[] infinite = huge.clone();
        infinite[7] = Float.POSITIVE_INFINITY;
        assertThat(Similarity.cosine(infinite, huge)).isEqualTo(0.0);
    }

    @Test
    void lengthsMustMatch() {
        assertThatThrownBy(() -> Similarity.cosine(new float[2], new float[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 and 3");
    }

    @Test
    void meanAgainstAveragesEachComparison() {
        float[] original = {1, 0};
        assertThat(Similarity.meanAgainst(original, List.of(new float[] {1, 0}, new float[] {0, 1})))
                .isEqualTo(0.5);
        assertThat(Similarity.meanAgainst(original, List.of(new float[] {2, 0}))).isEqualTo(1.0);
        assertThatThrownBy(() -> Similarity.meanAgainst(original, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
