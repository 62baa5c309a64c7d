package dev.tollgate.core.guard;

import java.text.Normalizer;

/**
 * A text as the injection rules read it, with the tricks that hide words from a plain match undone: compatibility
 * forms folded (NFKC: full-width and styled letters), look-alike Cyrillic and Greek letters mapped to the Latin
 * ones they imitate, invisible characters dropped, white space collapsed, lower case. What was undone is kept as
 * signals, since hiding words is itself a sign. ASCII smuggled in Unicode tag characters (U+E0020..U+E007E, which
 * render as nothing) is decoded into {@code tagPayload} so the rules read it too.
 *
 * @param text the normalised text
 * @param tags whether the text had tag characters
 * @param zeroWidthInWord whether a zero-width character split a word (emoji sequences use the joiner legitimately,
 *     between symbols, so only one between two letters counts)
 * @param bidi whether the text had bidirectional controls (used to reorder what a reader sees)
 * @param mixedScript whether a word mixed Latin letters with Cyrillic or Greek look-alikes
 * @param tagPayload the ASCII the tag characters spell, normalised; empty when none
 */
record ScreenText(String text, boolean tags, boolean zeroWidthInWord, boolean bidi, boolean mixedScript,
                  String tagPayload) {

    static ScreenText of(String raw) {
        String folded = Normalizer.isNormalized(raw, Normalizer.Form.NFKC) ? raw
                : Normalizer.normalize(raw, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(folded.length());
        StringBuilder tagged = null;
        boolean tags = false;
        boolean zeroWidthInWord = false;
        boolean bidi = false;
        boolean mixed = false;
        boolean wordLatin = false;
        boolean wordLookAlike = false;
        boolean pendingZeroWidth = false;
        boolean space = false;
        for (int i = 0; i < folded.length(); ) {
            int cp = folded.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0xE0000 && cp <= 0xE007F) {
                tags = true;
                if (cp >= 0xE0020 && cp <= 0xE007E) {
                    if (tagged == null) {
                        tagged = new StringBuilder();
                    }
                    tagged.append((char) (cp - 0xE0000));
                }
                continue;
            }
            if (zeroWidth(cp)) {
                pendingZeroWidth = out.length() > 0 && Character.isLetter(out.charAt(out.length() - 1));
                continue;
            }
            if (bidiControl(cp)) {
                bidi = true;
                continue;
            }
            if (Character.isWhitespace(cp)) {
                pendingZeroWidth = false;
                mixed |= wordLatin && wordLookAlike;
                wordLatin = false;
                wordLookAlike = false;
                space = out.length() > 0;
                continue;
            }
            char latin = lookAlike(cp);
            if (latin != 0) {
                wordLookAlike = true;
            } else if (cp < 0x80 && Character.isLetter(cp)) {
                wordLatin = true;
            }
            if (pendingZeroWidth && Character.isLetter(cp)) {
                zeroWidthInWord = true;
            }
            pendingZeroWidth = false;
            if (space) {
                out.append(' ');
                space = false;
            }
            if (latin != 0) {
                out.append(latin);
            } else {
                out.appendCodePoint(Character.toLowerCase(cp));
            }
        }
        mixed |= wordLatin && wordLookAlike;
        String payload = tagged == null ? "" : of(tagged.toString()).text();
        return new ScreenText(out.toString(), tags, zeroWidthInWord, bidi, mixed, payload);
    }

    private static boolean zeroWidth(int cp) {
        return cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF || cp == 0x00AD
                || cp == 0x180E;
    }

    private static boolean bidiControl(int cp) {
        return cp == 0x200E || cp == 0x200F || cp == 0x061C || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069);
    }

    /**
     * The lower-case Latin letter a Cyrillic or Greek letter is drawn like (Unicode's confusables for the letters
     * that matter to English words), or 0.
     */
    private static char lookAlike(int cp) {
        return switch (cp) {
            case 'а', 'А', 'α', 'Α' -> 'a';
            case 'в', 'В', 'β', 'Β' -> 'b';
            case 'с', 'С', 'ϲ' -> 'c';
            case 'ԁ' -> 'd';
            case 'е', 'Е', 'ё', 'ε', 'Ε' -> 'e';
            case 'ɡ' -> 'g';
            case 'һ', 'Н', 'Η' -> 'h';
            case 'і', 'І', 'ι', 'Ι', 'ӏ' -> 'i';
            case 'ј', 'Ј' -> 'j';
            case 'к', 'К', 'κ', 'Κ' -> 'k';
            case 'м', 'М', 'Μ' -> 'm';
            case 'п', 'η', 'Ν' -> 'n';
            case 'о', 'О', 'ο', 'Ο', 'σ' -> 'o';
            case 'р', 'Р', 'ρ', 'Ρ' -> 'p';
            case 'ԛ' -> 'q';
            case 'г' -> 'r';
            case 'ѕ', 'Ѕ' -> 's';
            case 'т', 'Т', 'τ', 'Τ' -> 't';
            case 'υ', 'ս' -> 'u';
            case 'ν', 'ѵ' -> 'v';
            case 'ԝ', 'ѡ' -> 'w';
            case 'х', 'Х', 'χ', 'Χ' -> 'x';
            case 'у', 'У', 'γ', 'Υ' -> 'y';
            case 'Ζ' -> 'z';
            default -> 0;
        };
    }
}
