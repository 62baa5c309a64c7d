package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Unified diffs of config versions: the exact format of {@code diff -u}, and hunks that rebuild the new text. */
class ConfigDiffTest {

    private static String diff(String oldText, String newText, int context) {
        return ConfigDiff.unified(oldText, newText, "v1", "v2", context);
    }

    @Test
    void sectionsNameTheTopLevelKeysUnderWhichLinesChanged() {
        String before = """
                # gateway
                server:
                  listen: 0.0.0.0:8080
                keys:
                  - { name: a, hash: "sha256:aa" }
                "models": { m: {} }
                """;
        String after = """
                # the gateway
                server:
                  listen: 0.0.0.0:8080
                keys:
                  - { name: b, hash: "sha256:bb" }
                "models": { m: {} }
                admin: { keys: ["${env:K}"] }
                """;
        assertThat(ConfigDiff.sections(before, after)).containsExactly("admin", "keys");
        assertThat(ConfigDiff.sections(before, before)).isEmpty();
        assertThat(ConfigDiff.sections(before, before.replace("\"models\": { m: {} }", "\"models\": {}")))
                .containsExactly("models");
    }

    @Test
    void anEvaluationChangeNamesItsSection() {
        String before = Fixtures.MINIMAL + "evaluation:\n  evaluators:\n    fb: { type: feedback }\n";
        assertThat(ConfigDiff.sections(before, before.replace("type: feedback", "type: feedback, threshold: 0.7")))
                .containsExactly("evaluation");
        assertThat(ConfigDiff.sections(Fixtures.MINIMAL, before)).containsExactly("evaluation");
    }

    @Test
    void sectionsNameOnlyTopLevelKeysOfTheConfigNeverTextAtTheStartOfALine() {
        String before = Fixtures.MINIMAL;
        // A quoted value may go on at the start of a line; the loader takes this file, with a literal key.
        String after = Fixtures.MINIMAL.replace("base_url: https://api.openai.com/v1\n",
                "base_url: https://api.openai.com/v1\n    api_key: \"sk-proj-\nsk-proj-SECRETPART: tail\"\n");
        assertThat(Fixtures.loaded(Fixtures.loader().parse("t.yaml", after))).isNotNull();
        assertThat(ConfigDiff.sections(before, after)).containsExactly("providers");
        // A root written as one flow mapping names no section by its first characters either.
        assertThat(ConfigDiff.sections("{server: {}}\n", "{server: {}, keys: []}\n")).isEmpty();
    }

    @Test
    void equalTextsHaveNoDiff() {
        assertThat(diff("", "", 3)).isEmpty();
        assertThat(diff("a: 1\nb: 2\n", "a: 1\nb: 2\n", 3)).isEmpty();
        assertThat(ConfigDiff.stats("a: 1\n", "a: 1\n")).isEqualTo(new ConfigDiff.Stats(0, 0));
    }

    @Test
    void aChangedLineWithContextAroundIt() {
        String oldText = "a\nb\nc\nd\ne\nf\ng\n";
        String newText = "a\nb\nc\nD\ne\nf\ng\n";
        assertThat(diff(oldText, newText, 2)).isEqualTo("""
                --- v1
                +++ v2
                @@ -2,5 +2,5 @@
                 b
                 c
                -d
                +D
                 e
                 f
                """);
        assertThat(ConfigDiff.stats(oldText, newText)).isEqualTo(new ConfigDiff.Stats(1, 1));
    }

    @Test
    void changesFarApartGetTheirOwnHunksAndCloseOnesShareOne() {
        String oldText = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        assertThat(diff(oldText, "x\n2\n3\n4\n5\n6\n7\n8\n9\ny\n", 1)).isEqualTo("""
                --- v1
                +++ v2
                @@ -1,2 +1,2 @@
                -1
                +x
                 2
                @@ -9,2 +9,2 @@
                 9
                -10
                +y
                """);
        // Two unchanged lines between the changes: no more than 2 * context, so one hunk.
        assertThat(diff(oldText, "1\n2\nx\n4\n5\ny\n7\n8\n9\n10\n", 1)).isEqualTo("""
                --- v1
                +++ v2
                @@ -2,6 +2,6 @@
                 2
                -3
                +x
                 4
                 5
                -6
                +y
                 7
                """);
    }

    @Test
    void rangesOfOneLineOmitTheCountAndEmptyRangesNameTheLineBefore() {
        assertThat(diff("a\nb\n", "a\nx\nb\n", 0)).isEqualTo("""
                --- v1
                +++ v2
                @@ -1,0 +2 @@
                +x
                """);
        assertThat(diff("a\nb\n", "x\na\nb\n", 0)).isEqualTo("""
                --- v1
                +++ v2
                @@ -0,0 +1 @@
                +x
                """);
        assertThat(diff("a\nb\nc\n", "a\nc\n", 0)).isEqualTo("""
                --- v1
                +++ v2
                @@ -2 +1,0 @@
                -b
                """);
    }

    @Test
    void fromAndToAnEmptyText() {
        assertThat(diff("", "a: 1\nb: 2\n", 3)).isEqualTo("""
                --- v1
                +++ v2
                @@ -0,0 +1,2 @@
                +a: 1
                +b: 2
                """);
        assertThat(diff("a: 1\nb: 2\n", "", 3)).isEqualTo("""
                --- v1
                +++ v2
                @@ -1,2 +0,0 @@
                -a: 1
                -b: 2
                """);
        assertThat(ConfigDiff.stats("", "a: 1\nb: 2\n")).isEqualTo(new ConfigDiff.Stats(2, 0));
        assertThat(ConfigDiff.stats("a: 1\nb: 2\n", "")).isEqualTo(new ConfigDiff.Stats(0, 2));
    }

    @Test
    void aMissingNewlineAtTheEndIsMarkedAndIsAChange() {
        assertThat(diff("a\nb\nc\n", "a\nB\nc", 3)).isEqualTo("""
                --- v1
                +++ v2
                @@ -1,3 +1,3 @@
                 a
                -b
                -c
                +B
                +c
                \\ No newline at end of file
                """);
        assertThat(diff("a\nb", "a\nb\n", 3)).isEqualTo("""
                --- v1
                +++ v2
                @@ -1,2 +1,2 @@
                 a
                -b
                \\ No newline at end of file
                +b
                """);
        // Unchanged, the unterminated last line is context, still marked.
        assertThat(diff("a\nb\nc", "A\nb\nc", 3)).isEqualTo("""
                --- v1
                +++ v2
                @@ -1,3 +1,3 @@
                -a
                +A
                 b
                 c
                \\ No newline at end of file
                """);
        assertThat(diff("", "x", 3)).isEqualTo("""
                --- v1
                +++ v2
                @@ -0,0 +1 @@
                +x
                \\ No newline at end of file
                """);
    }

    @Test
    void crlfLineEndsCompareEqualToLfOnes() {
        assertThat(diff("a: 1\r\nb: 2\r\n", "a: 1\nb: 2\n", 3)).isEmpty();
        assertThat(diff("a: 1\r\nb: 2\r\n", "a: 1\r\nb: 3\r\n", 3)).isEqualTo("""
                --- v1
                +++ v2
                @@ -1,2 +1,2 @@
                 a: 1
                -b: 2
                +b: 3
                """);
    }

    @Test
    void rejectsANegativeContextAndLabelsThatWouldBreakTheHeader() {
        assertThatThrownBy(() -> diff("a\n", "b\n", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("context must be zero or more lines, got -1");
        assertThatThrownBy(() -> ConfigDiff.unified("a\n", "b\n", "v1\n+++ evil", "v2", 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("oldLabel must be a single line: a line break would end the header");
    }

    @Test
    void hunksApplyToTheOldTextGiveTheNewOneOverRandomEdits() {
        var random = new Random(90_210L);
        for (int round = 0; round < 3000; round++) {
            List<String> oldLines = randomLines(random, random.nextInt(round % 50 == 0 ? 1 : 25));
            List<String> newLines = edit(oldLines, random);
            String oldText = text(oldLines, random.nextInt(4) != 0, random.nextInt(5) == 0);
            String newText = text(newLines, random.nextInt(4) != 0, false);
            int context = random.nextInt(4);
            String unified = diff(oldText, newText, context);
            String rebuilt = Patch.apply(lf(oldText), unified);
            assertThat(rebuilt).as("round %d:\n%s", round, unified).isEqualTo(newText);
            ConfigDiff.Stats stats = ConfigDiff.stats(oldText, newText);
            assertThat(stats.added()).isEqualTo(count(unified, '+'));
            assertThat(stats.removed()).isEqualTo(count(unified, '-'));
        }
    }

    @Test
    void theEditScriptIsAShortestOne() {
        var random = new Random(4_242L);
        for (int round = 0; round < 1500; round++) {
            List<String> a = randomLines(random, random.nextInt(14));
            List<String> b = random.nextBoolean() ? edit(a, random) : randomLines(random, random.nextInt(14));
            ConfigDiff.Stats stats = ConfigDiff.stats(text(a, true, false), text(b, true, false));
            int common = longestCommonSubsequence(a, b);
            assertThat(stats.removed()).as("%s -> %s", a, b).isEqualTo(a.size() - common);
            assertThat(stats.added()).as("%s -> %s", a, b).isEqualTo(b.size() - common);
        }
    }

    @Test
    void aLargeFileWithAFewChangesIsQuickAndSoIsACompleteRewrite() {
        var lines = new ArrayList<String>();
        for (int i = 0; i < 10_000; i++) {
            lines.add("  key_" + i + ": value " + (i * 7919 % 10_007));
        }
        var edited = new ArrayList<>(lines);
        edited.set(0, "  first: changed");
        edited.set(5_000, "  middle: changed");
        edited.add(7_500, "  inserted: line");
        edited.remove(9_999);
        String oldText = text(lines, true, false);
        String newText = text(edited, true, false);
        var rewritten = new ArrayList<String>();
        for (int i = 0; i < 10_000; i++) {
            rewritten.add("other_" + i);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            String unified = diff(oldText, newText, 3);
            assertThat(Patch.apply(oldText, unified)).isEqualTo(newText);
            assertThat(ConfigDiff.stats(oldText, newText)).isEqualTo(new ConfigDiff.Stats(3, 3));
            assertThat(ConfigDiff.stats(oldText, text(rewritten, true, false)))
                    .isEqualTo(new ConfigDiff.Stats(10_000, 10_000));
        });
    }

    /** Lines from a small alphabet, so that the same line recurs and the diff has to choose among matches. */
    private static List<String> randomLines(Random random, int count) {
        var lines = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            lines.add(random.nextInt(8) == 0 ? "" : "k" + random.nextInt(6) + ": " + random.nextInt(3));
        }
        return lines;
    }

    /** A random edit script: insertions, deletions and replacements anywhere, the first and last lines included. */
    private static List<String> edit(List<String> lines, Random random) {
        var out = new ArrayList<>(lines);
        int edits = random.nextInt(5);
        for (int e = 0; e < edits; e++) {
            int at = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> out.size();
                default -> random.nextInt(out.size() + 1);
            };
            switch (random.nextInt(3)) {
                case 0 -> out.add(at, "new " + random.nextInt(100));
                case 1 -> {
                    if (at < out.size()) {
                        out.remove(at);
                    }
                }
                default -> {
                    if (at < out.size()) {
                        out.set(at, "changed " + random.nextInt(100));
                    }
                }
            }
        }
        return out;
    }

    private static String text(List<String> lines, boolean trailingNewline, boolean crlf) {
        String end = crlf ? "\r\n" : "\n";
        String text = String.join(end, lines);
        return lines.isEmpty() || !trailingNewline ? text : text + end;
    }

    private static String lf(String text) {
        return text.replace("\r\n", "\n");
    }

    private static int count(String unified, char mark) {
        return (int) unified.lines().skip(2).filter(l -> !l.isEmpty() && l.charAt(0) == mark).count();
    }

    private static int longestCommonSubsequence(List<String> a, List<String> b) {
        int[][] table = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                table[i][j] = a.get(i).equals(b.get(j))
                        ? table[i + 1][j + 1] + 1
                        : Math.max(table[i + 1][j], table[i][j + 1]);
            }
        }
        return table[0][0];
    }

    /**
     * Applies a unified diff to LF text, checking as {@code patch} would: hunks in order, context and removed
     * lines as in the old text, counts as in the headers, and the no-newline marks where the texts end.
     */
    private static final class Patch {
        private static final Pattern HUNK = Pattern.compile("@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@");

        static String apply(String oldText, String unified) {
            if (unified.isEmpty()) {
                return oldText;
            }
            List<String> old = split(oldText);
            boolean oldTerminated = oldText.isEmpty() || oldText.endsWith("\n");
            List<String> diff = split(unified);
            assertThat(diff.get(0)).isEqualTo("--- v1");
            assertThat(diff.get(1)).isEqualTo("+++ v2");
            var out = new ArrayList<String>();
            boolean newTerminated = true;
            boolean sawOldEnd = false;
            int at = 0;
            int i = 2;
            while (i < diff.size()) {
                Matcher h = HUNK.matcher(diff.get(i++));
                assertThat(h.matches()).as("hunk header %s", diff.get(i - 1)).isTrue();
                int oldCount = h.group(2) == null ? 1 : Integer.parseInt(h.group(2));
                int newCount = h.group(4) == null ? 1 : Integer.parseInt(h.group(4));
                int oldStart = Integer.parseInt(h.group(1)) - (oldCount == 0 ? 0 : 1);
                int newStart = Integer.parseInt(h.group(3)) - (newCount == 0 ? 0 : 1);
                assertThat(oldStart).isGreaterThanOrEqualTo(at);
                out.addAll(old.subList(at, oldStart));
                at = oldStart;
                assertThat(out.size()).as("new start").isEqualTo(newStart);
                int oldSeen = 0;
                int newSeen = 0;
                char previous = 0;
                while (i < diff.size() && !diff.get(i).startsWith("@@")) {
                    String line = diff.get(i++);
                    char mark = line.charAt(0);
                    String content = line.substring(1);
                    if (line.equals("\\ No newline at end of file")) {
                        if (previous != '+') {
                            assertThat(at).isEqualTo(old.size());
                            sawOldEnd = true;
                        }
                        if (previous != '-') {
                            newTerminated = false;
                        }
                        continue;
                    }
                    if (mark == ' ' || mark == '-') {
                        assertThat(old.get(at)).isEqualTo(content);
                        at++;
                        oldSeen++;
                    }
                    if (mark == ' ' || mark == '+') {
                        out.add(content);
                        newSeen++;
                    }
                    assertThat(mark).isIn(' ', '-', '+');
                    previous = mark;
                }
                assertThat(oldSeen).isEqualTo(oldCount);
                assertThat(newSeen).isEqualTo(newCount);
            }
            out.addAll(old.subList(at, old.size()));
            if (at < old.size()) {
                // The hunks did not reach the end, which is then unchanged.
                newTerminated = oldTerminated;
            } else {
                assertThat(sawOldEnd).as("old text's missing newline marked")
                        .isEqualTo(!oldTerminated && !old.isEmpty());
            }
            String text = String.join("\n", out);
            return out.isEmpty() || !newTerminated ? text : text + "\n";
        }

        private static List<String> split(String text) {
            var lines = new ArrayList<>(List.of(text.split("\n", -1)));
            if (lines.getLast().isEmpty()) {
                // The empty piece after the last line break, or the whole of an empty text.
                lines.removeLast();
            }
            return lines;
        }
    }
}
