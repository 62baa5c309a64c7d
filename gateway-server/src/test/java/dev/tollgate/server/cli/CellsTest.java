package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Table cells made of untrusted text: one printable line, cut whole characters at a time. */
class CellsTest {

    /** A model's rationale or answer may hold terminal escapes: a table cell must not pass them to the terminal. */
    @Test
    void excerptDropsControlCharactersThatWouldDriveTheTerminal() {
        assertThat(Cells.excerpt("fine\u001b[2J\u001b]0;owned\u0007 text\u009b31m", 60))
                .isEqualTo("fine\uFFFD[2J\uFFFD]0;owned\uFFFD text\uFFFD31m");
        assertThat(Cells.excerpt("a\tb\r\nc\u0000d", 60)).isEqualTo("a b c\uFFFDd");
    }

    /** Random text of letters, spaces, controls and emoji: every excerpt is one line of whole characters. */
    @Test
    void excerptsOfRandomTextAreOnePrintableLineOfWholeCharacters() {
        var random = new Random(31);
        String[] pieces = {"a", "Z", " ", "\n", "\t", "\u001b", "\u0085", "\u007f", "\uD83D\uDE00", "\u00e9", "\u2028"};
        for (int round = 0; round < 2_000; round++) {
            var text = new StringBuilder();
            int length = random.nextInt(90);
            for (int i = 0; i < length; i++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            int max = 4 + random.nextInt(60);
            String excerpt = Cells.excerpt(text.toString(), max);
            assertThat(excerpt.length()).as(text.toString()).isLessThanOrEqualTo(max);
            assertThat(excerpt.codePoints().noneMatch(c -> Character.isISOControl(c) || c == '\u2028'))
                    .as(excerpt).isTrue();
            assertThat(excerpt.codePoints().noneMatch(c -> Character.isSurrogate((char) c) && c <= 0xFFFF))
                    .as("a lone surrogate in %s", excerpt).isTrue();
        }
    }
}
