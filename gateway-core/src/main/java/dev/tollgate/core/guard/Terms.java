package dev.tollgate.core.guard;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A list of terms (words or phrases) found as whole words in any case, by walking a trie from each word start: the
 * work per start is bounded by the longest term, whatever the number of terms. (One regex alternation of the terms
 * tries every term at every position: thousands of terms make it slow, and under a step budget it fails on any
 * text.) At one start the longest term wins; found terms do not overlap.
 */
public final class Terms {
    private final Node root = new Node();

    private Terms() {}

    /**
     * The terms, stripped.
     *
     * @throws IllegalArgumentException for a blank term, naming it {@code what}
     */
    static Terms of(Iterable<String> terms, String what) {
        Terms t = new Terms();
        for (String term : terms) {
            String stripped = term.strip();
            if (stripped.isEmpty()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            Node node = t.root;
            for (int i = 0; i < stripped.length(); i++) {
                node = node.next.computeIfAbsent(fold(stripped.charAt(i)), c -> new Node());
            }
            node.term = true;
        }
        return t;
    }

    /** Adds a span with {@code placeholder} for each term found in {@code text}. */
    void find(String text, String placeholder, List<Span> out) {
        int i = 0;
        while (i < text.length()) {
            int end = wordStart(text, i) ? longest(text, i) : -1;
            if (end > i) {
                out.add(new Span(i, end, placeholder));
                i = end;
            } else {
                i++;
            }
        }
    }

    /** Whether {@code text} has any of the terms. */
    boolean any(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (wordStart(text, i) && longest(text, i) > i) {
                return true;
            }
        }
        return false;
    }

    /** The end of the longest term that starts at {@code start} and ends at a word's end, or -1. */
    private int longest(String text, int start) {
        Node node = root;
        int found = -1;
        for (int i = start; i < text.length(); i++) {
            node = node.next.get(fold(text.charAt(i)));
            if (node == null) {
                break;
            }
            if (node.term && (i + 1 == text.length() || !wordChar(text.codePointAt(i + 1)))) {
                found = i + 1;
            }
        }
        return found;
    }

    private static boolean wordStart(String text, int i) {
        return i == 0 || !wordChar(text.codePointBefore(i));
    }

    /** {@code [\p{L}\p{N}_]}: a letter, a number of any kind, or the underscore. */
    private static boolean wordChar(int cp) {
        if (cp == '_' || Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** One character in the case both a term and a text are compared in (as a case-insensitive regex does). */
    private static char fold(char c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    private static final class Node {
        final Map<Character, Node> next = new HashMap<>(4);
        boolean term;
    }
}
