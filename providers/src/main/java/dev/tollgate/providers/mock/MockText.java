package dev.tollgate.providers.mock;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The words of mock answers and the ways the mock cuts text into stream pieces. Stateless. */
final class MockText {

    private static final String[] VOCABULARY = {
        "amber", "anchor", "apricot", "atlas", "aurora", "basalt", "beacon", "birch", "bramble", "breeze",
        "canyon", "cedar", "cinder", "clover", "comet", "coral", "crystal", "delta", "dune", "echo",
        "ember", "fable", "fern", "fjord", "flint", "galaxy", "garnet", "glacier", "granite", "harbor",
        "hazel", "horizon", "indigo", "island", "ivory", "jasper", "juniper", "kestrel", "lagoon", "lantern",
        "lattice", "maple", "meadow", "meteor", "mosaic", "nebula", "nectar", "oasis", "onyx", "orbit",
        "pebble", "prairie", "quartz", "quill", "raven", "reef", "saffron", "sequoia", "sierra", "summit",
        "thistle", "tundra", "velvet", "willow",
    };

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** How many words of the user's message an answer quotes. */
    private static final int QUOTED_WORDS = 6;
    /** Quoted words are cut to this length so a pasted blob does not become one giant word. */
    private static final int MAX_QUOTED_WORD = 24;

    private MockText() {}

    static String word(long bits) {
        return VOCABULARY[MockHash.index(bits, VOCABULARY.length)];
    }

    /**
     * The first {@code count} words of the answer to a conversation: {@code Echo: "<start of the user's message>"},
     * then vocabulary words drawn by the conversation's hash.
     */
    static List<String> words(String lastUserText, long hash, int count) {
        var words = new ArrayList<String>(count);
        List<String> quote = quote(lastUserText);
        if (!quote.isEmpty()) {
            words.add("Echo:");
            for (int i = 0; i < quote.size(); i++) {
                String w = quote.get(i);
                words.add((i == 0 ? "\"" : "") + w + (i == quote.size() - 1 ? "\"" : ""));
            }
        }
        for (long n = 0; words.size() < count; n++) {
            words.add(word(MockHash.nth(hash, n)));
        }
        return words.size() > count ? words.subList(0, count) : words;
    }

    private static List<String> quote(String text) {
        var quote = new ArrayList<String>(QUOTED_WORDS);
        for (String raw : WHITESPACE.split(text.strip(), QUOTED_WORDS + 1)) {
            if (quote.size() == QUOTED_WORDS) {
                break;
            }
            var clean = new StringBuilder();
            raw.codePoints()
                    .filter(c -> c != '"' && !Character.isISOControl(c))
                    .limit(MAX_QUOTED_WORD)
                    .forEach(clean::appendCodePoint);
            if (!clean.isEmpty()) {
                quote.add(clean.toString());
            }
        }
        return quote;
    }

    /**
     * {@code text} in at most {@code pieces} pieces that cut only before a space, so each piece after the first
     * starts with its space the way model tokens do. The pieces concatenate back to {@code text}.
     */
    static List<String> splitWords(String text, int pieces) {
        var starts = new ArrayList<Integer>();
        starts.add(0);
        for (int i = 1; i < text.length(); i++) {
            if (text.charAt(i) == ' ' && text.charAt(i - 1) != ' ') {
                starts.add(i);
            }
        }
        return cut(text, starts, pieces);
    }

    /** {@code text} in at most {@code pieces} pieces of about equal length, never splitting a surrogate pair. */
    static List<String> splitChars(String text, int pieces) {
        var starts = new ArrayList<Integer>(text.length());
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isLowSurrogate(text.charAt(i))) {
                starts.add(i);
            }
        }
        return cut(text, starts, pieces);
    }

    private static List<String> cut(String text, List<Integer> starts, int pieces) {
        if (text.isEmpty()) {
            return List.of();
        }
        int n = Math.min(pieces, starts.size());
        var out = new ArrayList<String>(n);
        for (int k = 0; k < n; k++) {
            int begin = starts.get(k * starts.size() / n);
            int end = k + 1 < n ? starts.get((k + 1) * starts.size() / n) : text.length();
            out.add(text.substring(begin, end));
        }
        return out;
    }
}
