package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pii.PiiType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** A stream split anywhere is redacted as the whole text would be, and never lets a secret through. */
class StreamGuardTest {
    private static final String KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789";
    private static final String CARD = "4111 1111 1111 1111";
    private static final String MAIL = "jane.doe@example.com";
    private static final String FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ";

    private static final GuardSet REDACTING = new GuardSet(List.of(GuardSetTest.REDACT_PII, GuardSetTest.FLAG_TERMS));

    @Provide
    Arbitrary<String> answers() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.of(KEY, CARD, MAIL, "call +1 415 555 2671 now", "order 4111 1111 1111 1112 shipped",
                        "falcon", " ", "\n", ". "),
                Arbitraries.of(FILLER, "ok ", "Done: ", "see ", "\u00e9t\u00e9 ", "\ud83d\ude00 "),
                Arbitraries.of(FILLER.repeat(6)));
        return piece.list().ofMinSize(1).ofMaxSize(24).map(l -> String.join(" ", l));
    }

    @Property(tries = 400)
    void everySplitGivesTheWholeTextsRedactionAndNoSecret(@ForAll("answers") String text, @ForAll long seed) {
        String whole = wholeRedaction(text);
        String streamed = stream(REDACTING, text, new Random(seed), true);
        assertThat(streamed).isEqualTo(whole);
        assertThat(streamed).doesNotContain(KEY).doesNotContain(CARD).doesNotContain(MAIL)
                .doesNotContain("sk-proj").doesNotContain("jane.doe");
    }

    @Property(tries = 200)
    void aStreamWithoutAFinishIsReleasedAtTheEnd(@ForAll("answers") String text, @ForAll long seed) {
        assertThat(stream(REDACTING, text, new Random(seed), false)).isEqualTo(wholeRedaction(text));
    }

    @Test
    void aBlockEndsTheStreamBeforeTheBlockedTextIsSent() {
        Guardrail noKeys = new Guardrail("no-keys", PiiCheck.of(Set.of(PiiType.API_KEY)), GuardAction.BLOCK, false,
                true);
        StreamGuard guard = new GuardSet(List.of(noKeys)).streamGuard();
        String text = FILLER.repeat(20) + "the key is " + KEY + " and more " + FILLER.repeat(20);
        StringBuilder sent = new StringBuilder();
        StreamEvent.Failure failure = null;
        for (int i = 0; i < text.length() && failure == null; i += 7) {
            for (StreamEvent e : guard.apply(List.of(new StreamEvent.TextDelta(0,
                    text.substring(i, Math.min(text.length(), i + 7)))))) {
                if (e instanceof StreamEvent.TextDelta t) {
                    sent.append(t.text());
                } else if (e instanceof StreamEvent.Failure f) {
                    failure = f;
                }
            }
        }
        assertThat(failure).isNotNull();
        assertThat(failure.error().code()).isEqualTo("content_blocked");
        assertThat(failure.error().param()).isEqualTo("no-keys");
        assertThat(sent.toString()).doesNotContain("sk-").startsWith(FILLER);
        assertThat(guard.result().blockedBy()).isEqualTo("no-keys");
        assertThat(guard.apply(List.of(new StreamEvent.TextDelta(0, "more " + KEY)))).as("nothing after a block")
                .isEmpty();
        assertThat(guard.finish()).isEmpty();
    }

    @Test
    void heldTextGoesOutBeforeTheFinishAndUsageStaysIntact() {
        StreamGuard guard = REDACTING.streamGuard();
        Usage usage = new Usage(10, 5, 0, 0, 0, true);
        List<StreamEvent> out = new ArrayList<>();
        out.addAll(guard.apply(List.of(new StreamEvent.Start("id", "m", 0), new StreamEvent.TextDelta(0, "mail "))));
        out.addAll(guard.apply(List.of(new StreamEvent.TextDelta(0, "jane.doe@exa"))));
        out.addAll(guard.apply(List.of(new StreamEvent.TextDelta(0, "mple.com"),
                new StreamEvent.Finish(FinishReason.STOP), new StreamEvent.UsageUpdate(usage))));
        assertThat(out).containsExactly(new StreamEvent.Start("id", "m", 0), new StreamEvent.TextDelta(0,
                "mail [EMAIL]"), new StreamEvent.Finish(FinishReason.STOP), new StreamEvent.UsageUpdate(usage));
        assertThat(guard.result().verdicts()).extracting(Verdict::result)
                .containsExactly(GuardResult.REDACT, GuardResult.PASS);
    }

    @Test
    void usageWithEveryChunkDoesNotReleaseHeldText() {
        StreamGuard guard = REDACTING.streamGuard();
        Usage usage = new Usage(10, 1, 0, 0, 0, true);
        StringBuilder sent = new StringBuilder();
        for (String piece : List.of("write to jane.d", "oe@exam", "ple.com today")) {
            collect(guard.apply(List.of(new StreamEvent.TextDelta(0, piece), new StreamEvent.UsageUpdate(usage))),
                    sent);
        }
        collect(guard.apply(List.of(new StreamEvent.Finish(FinishReason.STOP))), sent);
        assertThat(sent.toString()).isEqualTo("write to [EMAIL] today");
    }

    @Test
    void aFindingLongerThanTheLookBehindIsHeldWhileItGrows() {
        String pem = "-----BEGIN PRIVATE KEY-----\n" + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC".repeat(40)
                + "\n-----END PRIVATE KEY-----";
        String text = "here: " + pem + " done";
        String streamed = stream(REDACTING, text, new Random(7), true);
        assertThat(streamed).isEqualTo("here: [PRIVATE_KEY] done");
    }

    @Test
    void aTokenLongerThanTheLookBehindIsNotCutWhereItsStartWouldBeSentAlone() {
        // A real access token is several hundred characters: its start must not go out before the detector can see
        // the whole of it (the rest would then be read without its start, and go out as well).
        String jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + "c3ViIjoiMTIzNDU2Nzg5MCIsIm5hbWUiOiJKb2huIERvZSJ9"
                .repeat(12) + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        String text = FILLER.repeat(12) + "token: " + jwt + " " + FILLER.repeat(12);
        for (long seed = 0; seed < 50; seed++) {
            String streamed = stream(REDACTING, text, new Random(seed), true);
            assertThat(streamed).as("seed %d", seed).isEqualTo(wholeRedaction(text)).contains("token: [JWT] ")
                    .doesNotContain("eyJ").doesNotContain("SflKxwRJ");
        }
    }

    @Test
    void noDeltaEndsOrStartsInsideASurrogatePair() {
        // Each delta is a JSON string decoded on its own: half a character in each becomes two broken ones (Python
        // keeps lone surrogates that cannot be printed, Go replaces each with U+FFFD).
        String text = ("a" + "\ud83d\ude00".repeat(7)).repeat(300);
        for (long seed = 0; seed < 20; seed++) {
            StreamGuard guard = REDACTING.streamGuard();
            Random random = new Random(seed);
            List<StreamEvent> out = new ArrayList<>();
            for (int i = 0; i < text.length(); ) {
                int end = Math.min(text.length(), i + 1 + random.nextInt(40));
                if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                    end++; // a provider's deltas are strings: a surrogate pair is never split
                }
                out.addAll(guard.apply(List.of(new StreamEvent.TextDelta(0, text.substring(i, end)))));
                i = end;
            }
            out.addAll(guard.apply(List.of(new StreamEvent.Finish(FinishReason.STOP))));
            StringBuilder joined = new StringBuilder();
            for (StreamEvent e : out) {
                if (e instanceof StreamEvent.TextDelta t) {
                    assertThat(Character.isLowSurrogate(t.text().charAt(0))).as("seed %d starts whole", seed)
                            .isFalse();
                    assertThat(Character.isHighSurrogate(t.text().charAt(t.text().length() - 1)))
                            .as("seed %d ends whole", seed).isFalse();
                    joined.append(t.text());
                }
            }
            assertThat(joined.toString()).isEqualTo(text);
        }
    }

    @Test
    void oneChoicesFinishDoesNotReleaseAnotherChoicesTextAsComplete() {
        // n > 1: a finish names no choice, and the other choices go on streaming after it.
        StreamGuard guard = REDACTING.streamGuard();
        List<StreamEvent> out = new ArrayList<>();
        out.addAll(guard.apply(List.of(new StreamEvent.TextDelta(0, "first answer."),
                new StreamEvent.TextDelta(1, "write to jane.do"))));
        out.addAll(guard.apply(List.of(new StreamEvent.Finish(FinishReason.STOP))));
        out.addAll(guard.apply(List.of(new StreamEvent.TextDelta(1, "e@example.com today"))));
        out.addAll(guard.apply(List.of(new StreamEvent.Finish(FinishReason.STOP))));
        out.addAll(guard.finish());
        StringBuilder first = new StringBuilder();
        StringBuilder second = new StringBuilder();
        for (StreamEvent e : out) {
            if (e instanceof StreamEvent.TextDelta t) {
                (t.index() == 0 ? first : second).append(t.text());
            }
        }
        assertThat(first.toString()).isEqualTo("first answer.");
        assertThat(second.toString()).isEqualTo("write to [EMAIL] today");
    }

    private static String wholeRedaction(String text) {
        ChatResponse answer = new ChatResponse("id", "m", 0, List.of(new Part.Text(text)), FinishReason.STOP,
                Usage.UNKNOWN);
        return ((Part.Text) REDACTING.screenOutput(answer).value().output().getFirst()).text();
    }

    /** The text fed in random pieces of 1 to 40 characters; what the guard sends, joined. */
    private static String stream(GuardSet set, String text, Random random, boolean finish) {
        StreamGuard guard = set.streamGuard();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int end = Math.min(text.length(), i + 1 + random.nextInt(40));
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++; // a provider's deltas are strings: a surrogate pair is never split
            }
            collect(guard.apply(List.of(new StreamEvent.TextDelta(0, text.substring(i, end)))), out);
            i = end;
        }
        collect(finish ? guard.apply(List.of(new StreamEvent.Finish(FinishReason.STOP))) : guard.finish(), out);
        return out.toString();
    }

    private static void collect(List<StreamEvent> events, StringBuilder out) {
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.TextDelta t) {
                out.append(t.text());
            }
            assertThat(e).isNotInstanceOf(StreamEvent.Failure.class);
        }
    }
}
