package dev.tollgate.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The "did you mean" for a misspelt name: the closest candidate by edit distance (Levenshtein), if one is close
 * enough to be a plausible typo. Case and the difference between {@code base_url}, {@code base-url} and
 * {@code baseUrl} do not count as distance.
 */
final class Suggestion {
    private Suggestion() {}

    /** The candidate nearest to {@code typed}, or empty when none is within a few edits. Ties go to the first. */
    static Optional<String> nearest(String typed, Collection<String> candidates) {
        String wanted = normalized(typed);
        // A third of the length, at least 2: catches a dropped or swapped letter, not an unrelated word.
        int allowed = Math.max(2, wanted.length() / 3);
        String best = null;
        int bestDistance = allowed + 1;
        for (String candidate : candidates) {
            String other = normalized(candidate);
            if (Math.abs(other.length() - wanted.length()) >= bestDistance) {
                continue;
            }
            int distance = distance(wanted, other);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code " (did you mean 'x'?)"}, or the empty string when nothing is close. */
    static String didYouMean(String typed, Collection<String> candidates) {
        return nearest(typed, candidates).map(name -> " (did you mean '" + name + "'?)").orElse("");
    }

    /** The Levenshtein distance: insertions, deletions and substitutions each cost one. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String normalized(String name) {
        return name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }
}
