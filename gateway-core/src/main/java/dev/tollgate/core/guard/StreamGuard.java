package dev.tollgate.core.guard;

import dev.tollgate.core.model.StreamEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Screens one streamed answer as it passes, with a bounded look-behind. The text of each choice is held back until
 * more than {@value #HOLD} characters wait; then the held text is scanned behind up to {@value #CONTEXT}
 * characters already sent (so a finding's start is judged with what precedes it, as in the unsplit text), and
 * everything starting more than {@value #LOOK_BEHIND} characters before the end is decided and sent: redacted,
 * flagged, or blocked. A finding that starts in that region is sent whole (redacted), so every split of a text gives
 * the same output for findings up to {@value #LOOK_BEHIND} characters long. The decided region never ends inside a
 * run of the characters secrets are written in (a JWT or a bearer token can be far longer than the look-behind), nor
 * inside a surrogate pair. A finding that reaches the end of what
 * has arrived may still be growing (a private key block, a long token): it is held from its start until it ends,
 * up to {@value #MAX_HELD} characters (beyond the detectors' own longest finding); past that it is sent as its
 * placeholder. Text a redaction replaced is never sent.
 *
 * <p>Held text is sent before anything that ends the text it belongs to: a tool call, the finish, an in-band
 * failure, or {@link #finish} at the end of the stream (only the last two when the answer has several choices,
 * since a finish or a tool call does not say which choice it ends). Usage passes at once (some providers report
 * it with every chunk, and the encoders write it at the end anyway): releasing on it would let a split finding
 * through. A block turns into a
 * {@link StreamEvent.Failure} with {@code content_blocked} in place of the text, which ends the stream as any
 * in-band failure does; nothing passes after it. Injection screening judges each scanned window as a whole.
 * Single-threaded: one per stream.
 */
public final class StreamGuard {
    /** The longest finding every split is guaranteed to catch whole. */
    public static final int LOOK_BEHIND = 256;
    /** Characters of a choice's text held back until more arrives or the text ends. */
    public static final int HOLD = 2 * LOOK_BEHIND;
    /** The most text held for a finding that is still growing. */
    static final int MAX_HELD = 20_000;
    /** Characters already sent that each scan reads before the held text. */
    static final int CONTEXT = 64;

    private final Tally tally;
    private final long startNanos = System.nanoTime();
    private long nanos;
    /** Per choice index: held text and what was sent before it. */
    private final Map<Integer, Window> windows = new HashMap<>(2);

    StreamGuard(List<Guardrail> guardrails) {
        this.tally = new Tally(guardrails, GuardStage.OUTPUT);
    }

    /** The events to pass on in place of {@code events}; ends with a failure when a guardrail blocked. */
    public List<StreamEvent> apply(List<StreamEvent> events) {
        if (tally.blocked()) {
            return List.of(); // a blocked answer stays blocked, whatever its caller does with the failure
        }
        if (events.isEmpty()) {
            return events;
        }
        long start = System.nanoTime();
        List<StreamEvent> out = new ArrayList<>(events.size() + 1);
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.TextDelta t) {
                String sent = window(t.index()).add(t.text(), false);
                if (sent != null && !sent.isEmpty()) {
                    out.add(new StreamEvent.TextDelta(t.index(), sent));
                }
            } else {
                if ((e instanceof StreamEvent.Finish || e instanceof StreamEvent.ToolCallDelta)
                        && windows.size() == 1) {
                    // Neither names its choice: with several choices (n > 1) the others may still be streaming,
                    // so their text is released as complete only when the stream ends.
                    release(out);
                } else if (e instanceof StreamEvent.Failure) {
                    release(out); // the stream ends here: what it said before its error is judged and sent first
                }
                if (!tally.blocked()) {
                    out.add(e);
                }
            }
            if (tally.blocked()) {
                out.add(new StreamEvent.Failure(Blocks.answer(tally.blockedBy())));
                break;
            }
        }
        nanos += System.nanoTime() - start;
        return out;
    }

    /** The stream ended: what is still held, judged and sent (with a failure when a guardrail blocked). */
    public List<StreamEvent> finish() {
        if (tally.blocked() || windows.isEmpty()) {
            return List.of();
        }
        long start = System.nanoTime();
        List<StreamEvent> out = new ArrayList<>(1);
        release(out);
        if (tally.blocked()) {
            out.add(new StreamEvent.Failure(Blocks.answer(tally.blockedBy())));
        }
        nanos += System.nanoTime() - start;
        return out;
    }

    /** Each guardrail's verdict on the stream so far, the time spent screening, and who blocked, if anyone. */
    public Screened<Void> result() {
        return new Screened<>(null, tally.verdicts(), tally.blockedBy(), nanos);
    }

    /** Sends every choice's held text, judged as complete. */
    private void release(List<StreamEvent> out) {
        for (var w : windows.entrySet()) {
            String sent = w.getValue().add("", true);
            if (tally.blocked()) {
                return;
            }
            if (sent != null && !sent.isEmpty()) {
                out.add(new StreamEvent.TextDelta(w.getKey(), sent));
            }
        }
    }

    /** A character secrets are written in: base64 and base64url, and the separators of JWTs and tokens. */
    private static boolean tokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                || c == '.' || c == '+' || c == '/' || c == '=' || c == '~';
    }

    private Window window(int index) {
        return windows.computeIfAbsent(index, i -> new Window());
    }

    /** One choice's text: held, and the tail of what was sent. */
    private final class Window {
        private final StringBuilder held = new StringBuilder();
        private String context = "";
        /** How much was held at the last scan that sent nothing; rescanning every chunk would be quadratic. */
        private int lastScanLength;

        /**
         * Where the run of token characters around {@code cut} starts, when one spans it; {@code cut} otherwise. A
         * secret is such a run (a JWT, a key, a base64 blob) and may be far longer than the look-behind: cut inside
         * it, its start would go out before a detector could see the whole, and the rest, read without its start,
         * would go out too. So the run is held from its start (nothing is sent when it started in text already
         * sent), until it ends or {@value #MAX_HELD} characters are held, past which it is cut where it stands.
         */
        private int wordStart(String scanned, int cut, int offset) {
            if (held.length() >= MAX_HELD) {
                return cut;
            }
            int start = cut;
            while (start > offset && tokenChar(scanned.charAt(start - 1)) && tokenChar(scanned.charAt(cut))) {
                start--;
            }
            return start;
        }

        /** Takes {@code text} in; returns what may be sent now (redacted), or null when blocked. */
        String add(String text, boolean end) {
            held.append(text);
            if (held.isEmpty() || (!end && held.length() <= HOLD)) {
                return "";
            }
            if (!end && held.length() < lastScanLength + LOOK_BEHIND) {
                // Held for a growing finding: scanned again once enough has arrived to change the answer.
                return "";
            }
            String scanned = context + held;
            int offset = context.length();
            int cut = end ? scanned.length() : wordStart(scanned, scanned.length() - LOOK_BEHIND, offset);
            List<Span> redact = new ArrayList<>();
            List<Guardrail> guardrails = tally.guardrails();
            for (int i = 0; i < guardrails.size(); i++) {
                Guardrail g = guardrails.get(i);
                Finding f = g.check().scan(scanned);
                if (!f.hit()) {
                    continue;
                }
                if (f.spans().isEmpty()) {
                    tally.fired(i); // judged as a whole (injection): the window is what there is to judge
                } else {
                    boolean decided = false;
                    for (Span s : f.spans()) {
                        if (s.start() < cut && s.end() > offset) {
                            decided = true;
                            if (g.action() == GuardAction.REDACT) {
                                // A finding that began in text already sent: the rest of it is withheld too.
                                redact.add(new Span(Math.max(s.start(), offset), s.end(), s.placeholder()));
                            }
                        }
                    }
                    if (decided) {
                        tally.fired(i);
                    }
                }
                if (tally.blocked()) {
                    return null;
                }
            }
            List<Span> spans = Spans.disjoint(redact);
            for (Span s : spans) {
                if (s.start() < cut && s.end() > cut) {
                    boolean growing = !end && s.end() == scanned.length() && held.length() < MAX_HELD;
                    cut = growing ? Math.max(offset, s.start()) : s.end(); // a finding is sent whole
                }
            }
            if (cut > offset && cut < scanned.length() && Character.isHighSurrogate(scanned.charAt(cut - 1))
                    && Character.isLowSurrogate(scanned.charAt(cut))) {
                cut--; // the pair goes out together: each delta is decoded on its own, and half a character is none
            }
            StringBuilder sent = new StringBuilder(cut - offset + 16);
            int copied = offset;
            for (Span s : spans) {
                if (s.start() >= cut) {
                    break;
                }
                sent.append(scanned, copied, s.start()).append(s.placeholder());
                copied = s.end();
            }
            if (copied < cut) {
                sent.append(scanned, copied, cut);
            }
            if (cut <= offset) {
                lastScanLength = held.length();
                return "";
            }
            String tail = scanned.substring(Math.max(0, cut - CONTEXT), cut);
            held.delete(0, cut - offset);
            context = tail;
            lastScanLength = 0;
            return sent.toString();
        }
    }
}
