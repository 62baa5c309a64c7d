package dev.tollgate.core.eval;

import java.util.List;

/** How alike two answers are, from their embeddings: cosine similarity read as a score. Stateless. */
public final class Similarity {
    private Similarity() {}

    /**
     * The cosine of the angle between {@code a} and {@code b} as a score from 0 to 1: 1 for the same direction;
     * unrelated and opposite directions both 0, since an answer is no more consistent for being the opposite of
     * another. A zero vector (or one with non-finite components) has no direction and scores 0.
     *
     * @throws IllegalArgumentException when the vectors differ in length (two embedding models were mixed)
     */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embeddings of " + a.length + " and " + b.length
                    + " dimensions cannot be compared");
        }
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        double cosine = dot / Math.sqrt(normA * normB);
        // NaN (a zero or non-finite vector) fails both comparisons and scores 0; rounding may pass 1 slightly.
        return cosine > 0 ? Math.min(1, cosine) : 0;
    }

    /**
     * The mean {@link #cosine} of {@code original} with each of {@code others}: how well the re-asked answers agree
     * with the first one.
     *
     * @throws IllegalArgumentException when {@code others} is empty, or a length differs
     */
    public static double meanAgainst(float[] original, List<float[]> others) {
        if (others.isEmpty()) {
            throw new IllegalArgumentException("nothing to compare the original answer with");
        }
        double sum = 0;
        for (float[] other : others) {
            sum += cosine(original, other);
        }
        return sum / others.size();
    }
}
