package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Line-based differences between two versions of a config file, as a unified diff in the format of {@code diff -u}
 * and as counts of lines added and removed.
 *
 * <p>Lines end at {@code \n}; a {@code \r} right before it belongs to the line end, so a file saved with CRLF line
 * ends compares equal to the same file with LF ones. A last line without a line end differs from the same line with
 * one, and the diff marks it with {@code \ No newline at end of file}, as {@code diff} does. The edit script is a
 * shortest one (Myers' O(ND) algorithm in its linear-space form), so a large file with a few changes is compared in
 * time proportional to its length and memory proportional to its length.
 */
public final class ConfigDiff {
    private static final String NO_NEWLINE = "\\ No newline at end of file";

    private ConfigDiff() {}

    /**
     * How many lines a change adds and removes; a changed line counts as one removed and one added.
     *
     * @param added lines only in the new text
     * @param removed lines only in the old text
     */
    public record Stats(int added, int removed) {}

    /**
     * The unified diff that turns {@code oldText} into {@code newText}: a {@code --- oldLabel} and a
     * {@code +++ newLabel} header, then one {@code @@ -start,count +start,count @@} hunk per group of changes with up
     * to {@code context} unchanged lines around each change (changes at most {@code 2 * context} lines apart share a
     * hunk). Counts of one are written without {@code ,1}, and an empty range names the line before it (so a file
     * created from nothing reads {@code -0,0}), as GNU {@code diff -u} writes them. Every line of the result,
     * the last included, ends with {@code \n}.
     *
     * @return the diff, or the empty string when the two texts have the same lines
     * @throws IllegalArgumentException if {@code context} is negative or a label contains a line break
     */
    public static String unified(String oldText, String newText, String oldLabel, String newLabel, int context) {
        requireNonNull(oldLabel, "oldLabel");
        requireNonNull(newLabel, "newLabel");
        if (context < 0) {
            throw new IllegalArgumentException("context must be zero or more lines, got " + context);
        }
        checkLabel("oldLabel", oldLabel);
        checkLabel("newLabel", newLabel);
        Comparison comparison = Comparison.of(oldText, newText);
        if (comparison.changes().isEmpty()) {
            return "";
        }
        var out = new StringBuilder();
        out.append("--- ").append(oldLabel).append('\n');
        out.append("+++ ").append(newLabel).append('\n');
        List<Change> changes = comparison.changes();
        int first = 0;
        while (first < changes.size()) {
            int last = first;
            while (last + 1 < changes.size()
                    && changes.get(last + 1).oldFrom() - changes.get(last).oldTo() <= 2L * context) {
                last++;
            }
            comparison.writeHunk(changes.subList(first, last + 1), context, out);
            first = last + 1;
        }
        return out.toString();
    }

    /** How many lines {@link #unified} would show as added and removed between the two texts. */
    public static Stats stats(String oldText, String newText) {
        int added = 0;
        int removed = 0;
        for (Change change : Comparison.of(oldText, newText).changes()) {
            added += change.newTo() - change.newFrom();
            removed += change.oldTo() - change.oldFrom();
        }
        return new Stats(added, removed);
    }

    /**
     * The top-level keys of a YAML config ({@code server}, {@code keys}, ...) under which the two texts differ, in
     * name order: what an audit line can say about a change without quoting a value. A changed line before the
     * first top-level key (a leading comment) belongs to none. Only the config's own section names count: a quoted
     * value may go on at the start of a line, and what precedes a colon there may be part of a secret.
     */
    public static SortedSet<String> sections(String oldText, String newText) {
        Comparison comparison = Comparison.of(oldText, newText);
        String[] oldSections = sectionsByLine(comparison.oldLines());
        String[] newSections = sectionsByLine(comparison.newLines());
        var out = new TreeSet<String>();
        for (Change change : comparison.changes()) {
            addRange(oldSections, change.oldFrom(), change.oldTo(), out);
            addRange(newSections, change.newFrom(), change.newTo(), out);
        }
        return out;
    }

    private static void addRange(String[] sections, int from, int to, Set<String> out) {
        for (int i = from; i < to; i++) {
            if (sections[i] != null) {
                out.add(sections[i]);
            }
        }
    }

    /** For each line, the top-level key it is written under (null before the first one). */
    private static String[] sectionsByLine(Lines lines) {
        String[] out = new String[lines.size()];
        String current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean topLevel = !line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && line.charAt(0) != '#'
                    && !line.startsWith("---") && !line.startsWith("...") && line.indexOf(':') > 0;
            if (topLevel) {
                String key = unquote(line.substring(0, line.indexOf(':')).strip());
                current = ConfigBinder.ROOT_KEYS.contains(key) ? key : current;
            }
            out[i] = current;
        }
        return out;
    }

    private static String unquote(String key) {
        boolean quoted = key.length() >= 2 && (key.charAt(0) == '"' || key.charAt(0) == '\'')
                && key.charAt(key.length() - 1) == key.charAt(0);
        return quoted ? key.substring(1, key.length() - 1) : key;
    }

    private static void checkLabel(String name, String label) {
        if (label.indexOf('\n') >= 0 || label.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(name + " must be a single line: a line break would end the header");
        }
    }

    /** The lines of a text, and whether its last line ends with a line break (true for the empty text). */
    private record Lines(List<String> lines, boolean terminated) {
        static Lines of(String text) {
            var lines = new ArrayList<String>();
            int start = 0;
            while (start < text.length()) {
                int newline = text.indexOf('\n', start);
                if (newline < 0) {
                    lines.add(text.substring(start));
                    return new Lines(lines, false);
                }
                int end = newline > start && text.charAt(newline - 1) == '\r' ? newline - 1 : newline;
                lines.add(text.substring(start, end));
                start = newline + 1;
            }
            return new Lines(lines, true);
        }

        int size() {
            return lines.size();
        }

        String get(int i) {
            return lines.get(i);
        }

        /** Whether line {@code i} is the last one and has no line break after it. */
        boolean unterminatedAt(int i) {
            return !terminated && i == lines.size() - 1;
        }
    }

    /** Lines {@code [oldFrom, oldTo)} of the old text replaced by lines {@code [newFrom, newTo)} of the new one. */
    private record Change(int oldFrom, int oldTo, int newFrom, int newTo) {}

    /** Two texts and the changes, in order, that turn the first into the second. */
    private record Comparison(Lines oldLines, Lines newLines, List<Change> changes) {
        static Comparison of(String oldText, String newText) {
            Lines a = Lines.of(requireNonNull(oldText, "oldText"));
            Lines b = Lines.of(requireNonNull(newText, "newText"));
            // Lines become numbers so that the search compares ints. A last line without a line break gets a
            // number of its own: "x" at the end of a file is not the same line as "x\n".
            var ids = new HashMap<String, Integer>();
            int[] x = identify(a, ids);
            int[] y = identify(b, ids);
            return new Comparison(a, b, EditScript.changes(x, y, ids.size()));
        }

        private static int[] identify(Lines lines, Map<String, Integer> ids) {
            int[] out = new int[lines.size()];
            for (int i = 0; i < out.length; i++) {
                // No line contains \n, so this key cannot collide with a terminated line's.
                String key = lines.unterminatedAt(i) ? lines.get(i) + "\n" : lines.get(i);
                out[i] = ids.computeIfAbsent(key, k -> ids.size());
            }
            return out;
        }

        void writeHunk(List<Change> group, int context, StringBuilder out) {
            Change first = group.getFirst();
            Change last = group.getLast();
            int oldFrom = Math.max(0, first.oldFrom() - context);
            int oldTo = Math.min(oldLines.size(), last.oldTo() + context);
            // Context lines are unchanged lines, so they are as many in the new text as in the old.
            int newFrom = first.newFrom() - (first.oldFrom() - oldFrom);
            int newTo = last.newTo() + (oldTo - last.oldTo());
            out.append("@@ -").append(range(oldFrom, oldTo)).append(" +").append(range(newFrom, newTo))
                    .append(" @@\n");
            int at = oldFrom;
            for (Change change : group) {
                writeLines(' ', oldLines, at, change.oldFrom(), out);
                writeLines('-', oldLines, change.oldFrom(), change.oldTo(), out);
                writeLines('+', newLines, change.newFrom(), change.newTo(), out);
                at = change.oldTo();
            }
            writeLines(' ', oldLines, at, oldTo, out);
        }

        private static void writeLines(char mark, Lines lines, int from, int to, StringBuilder out) {
            for (int i = from; i < to; i++) {
                out.append(mark).append(lines.get(i)).append('\n');
                if (lines.unterminatedAt(i)) {
                    out.append(NO_NEWLINE).append('\n');
                }
            }
        }

        /** A hunk range as diff writes it: 1-based start, count omitted when 1, start before the range when empty. */
        private static String range(int from, int to) {
            int count = to - from;
            return switch (count) {
                case 0 -> from + ",0";
                case 1 -> Integer.toString(from + 1);
                default -> (from + 1) + "," + count;
            };
        }
    }

    /**
     * A shortest edit script between two sequences, found by Myers' divide and conquer on the middle snake: memory
     * stays linear, time is O((N+M)D) for D differences, and the recursion is about log2(D) deep because each split
     * halves D.
     */
    private static final class EditScript {
        private final int[] a;
        private final int[] b;
        /** Which elements of {@code a} are removed, and which of {@code b} added. */
        private final boolean[] removed;
        private final boolean[] added;
        /** Furthest x reached on each diagonal k = x - y, searching forwards from the start; offset by {@link #mid}. */
        private final int[] forward;
        /** Furthest u = n - x reached on each diagonal c = u - v, searching backwards from the end; offset too. */
        private final int[] backward;
        private final int mid;

        /**
         * The changes that turn {@code a} into {@code b}, whose elements are below {@code ids}. An element found in
         * only one of them is in no common subsequence, so it is set aside before the search: a rewritten file then
         * costs no more than a few changed lines, and the script stays a shortest one.
         */
        static List<Change> changes(int[] a, int[] b, int ids) {
            int[] inA = new int[ids];
            int[] inB = new int[ids];
            for (int id : a) {
                inA[id]++;
            }
            for (int id : b) {
                inB[id]++;
            }
            int[] keptA = kept(a, inB);
            int[] keptB = kept(b, inA);
            var search = new EditScript(select(a, keptA), select(b, keptB));
            search.compare(0, keptA.length, 0, keptB.length);
            boolean[] removed = new boolean[a.length];
            boolean[] added = new boolean[b.length];
            Arrays.fill(removed, true);
            Arrays.fill(added, true);
            for (int i = 0; i < keptA.length; i++) {
                removed[keptA[i]] = search.removed[i];
            }
            for (int j = 0; j < keptB.length; j++) {
                added[keptB[j]] = search.added[j];
            }
            return group(removed, added);
        }

        /** The indices of the elements of {@code s} that the other sequence has too. */
        private static int[] kept(int[] s, int[] inOther) {
            return IntStream.range(0, s.length).filter(i -> inOther[s[i]] > 0).toArray();
        }

        private static int[] select(int[] s, int[] indices) {
            int[] out = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                out[i] = s[indices[i]];
            }
            return out;
        }

        private EditScript(int[] a, int[] b) {
            this.a = a;
            this.b = b;
            this.removed = new boolean[a.length];
            this.added = new boolean[b.length];
            this.mid = (a.length + b.length + 1) / 2 + 1;
            this.forward = new int[2 * mid + 1];
            this.backward = new int[2 * mid + 1];
        }

        /** Marks the removed and added elements that turn {@code a[aFrom, aTo)} into {@code b[bFrom, bTo)}. */
        private void compare(int aFrom, int aTo, int bFrom, int bTo) {
            while (aFrom < aTo && bFrom < bTo && a[aFrom] == b[bFrom]) {
                aFrom++;
                bFrom++;
            }
            while (aFrom < aTo && bFrom < bTo && a[aTo - 1] == b[bTo - 1]) {
                aTo--;
                bTo--;
            }
            if (aFrom == aTo) {
                Arrays.fill(added, bFrom, bTo, true);
            } else if (bFrom == bTo) {
                Arrays.fill(removed, aFrom, aTo, true);
            } else {
                long split = middle(aFrom, aTo, bFrom, bTo);
                int x = (int) (split >>> 32);
                int y = (int) split;
                compare(aFrom, x, bFrom, y);
                compare(x, aTo, y, bTo);
            }
        }

        /**
         * A point (x, y) on a shortest path through the edit graph of the two ranges, packed as {@code x << 32 | y}.
         * Both ranges are non-empty and differ in their first and in their last elements (the caller trimmed the
         * common ends), so there are at least two differences and the point is neither corner.
         */
        private long middle(int aFrom, int aTo, int bFrom, int bTo) {
            int n = aTo - aFrom;
            int m = bTo - bFrom;
            int delta = n - m;
            boolean odd = (delta & 1) != 0;
            forward[mid + 1] = 0;
            backward[mid + 1] = 0;
            for (int d = 0; d <= (n + m + 1) / 2; d++) {
                for (int k = -d; k <= d; k += 2) {
                    int x = k == -d || (k != d && forward[mid + k - 1] < forward[mid + k + 1])
                            ? forward[mid + k + 1]
                            : forward[mid + k - 1] + 1;
                    int y = x - k;
                    while (x < n && y < m && a[aFrom + x] == b[bFrom + y]) {
                        x++;
                        y++;
                    }
                    forward[mid + k] = x;
                    int c = delta - k;
                    if (odd && c >= -(d - 1) && c <= d - 1 && x + backward[mid + c] >= n) {
                        return pack(aFrom + x, bFrom + y);
                    }
                }
                for (int c = -d; c <= d; c += 2) {
                    int u = c == -d || (c != d && backward[mid + c - 1] < backward[mid + c + 1])
                            ? backward[mid + c + 1]
                            : backward[mid + c - 1] + 1;
                    int v = u - c;
                    while (u < n && v < m && a[aTo - 1 - u] == b[bTo - 1 - v]) {
                        u++;
                        v++;
                    }
                    backward[mid + c] = u;
                    int k = delta - c;
                    if (!odd && k >= -d && k <= d && forward[mid + k] + u >= n) {
                        // Split where the forward path on this diagonal ends: that end lies on a shortest path.
                        int x = forward[mid + k];
                        return pack(aFrom + x, bFrom + x - k);
                    }
                }
            }
            throw new IllegalStateException("the forward and backward searches did not meet");
        }

        private static long pack(int x, int y) {
            return ((long) x << 32) | (y & 0xffffffffL);
        }

        /** The marked elements grouped into changes: each a run of removals followed by a run of additions. */
        private static List<Change> group(boolean[] removed, boolean[] added) {
            var changes = new ArrayList<Change>();
            int i = 0;
            int j = 0;
            while (i < removed.length || j < added.length) {
                if ((i < removed.length && removed[i]) || (j < added.length && added[j])) {
                    int oldFrom = i;
                    int newFrom = j;
                    while (i < removed.length && removed[i]) {
                        i++;
                    }
                    while (j < added.length && added[j]) {
                        j++;
                    }
                    changes.add(new Change(oldFrom, i, newFrom, j));
                } else {
                    // Neither is marked, so a[i] and b[j] are the same line, kept.
                    i++;
                    j++;
                }
            }
            return changes;
        }
    }
}
