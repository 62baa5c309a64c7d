package dev.tollgate.core.eval;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@link Judgement#read}: the reply's text first (a refusal, a code fence), then its JSON. Stateless. */
final class VerdictReader {
    /** How much of a reply a detail may quote: enough to tell refusals apart, too little to leak an answer. */
    static final int QUOTED = 40;
    /** How refusals open, lower case; a typographic apostrophe is read as a plain one. */
    private static final List<String> REFUSALS = List.of("i can't", "i cannot", "i can not", "i'm sorry",
            "i am sorry", "i'm unable", "i am unable", "i'm not able", "i am not able", "i won't", "i will not",
            "as an ai", "sorry, ");
    private static final BigDecimal MAX = BigDecimal.valueOf(Judgement.MAX_POINTS);

    private VerdictReader() {}

    static Judgement read(String reply) {
        if (reply == null || reply.isBlank()) {
            return new Judgement.Unparseable("the reply is empty");
        }
        String text = reply.strip();
        if (text.indexOf('{') < 0 && refusal(text)) {
            return new Judgement.Refused("refusal: " + quote(text));
        }
        String body = unfenced(text);
        if (body == null) {
            return new Judgement.Unparseable("a code fence that does not hold just the JSON object");
        }
        if (!body.startsWith("{")) {
            return new Judgement.Unparseable(body.indexOf('{') < 0 ? "no JSON object in the reply: " + quote(body)
                    : "text before the JSON object");
        }
        try {
            return verdict((Map<?, ?>) StrictJson.parse(body));
        } catch (StrictJson.Malformed e) {
            return new Judgement.Unparseable(e.getMessage());
        }
    }

    private static Judgement verdict(Map<?, ?> members) {
        for (Object name : members.keySet()) {
            if (!name.equals("score") && !name.equals("reason")) {
                return new Judgement.Unparseable("a member other than score and reason: " + quote((String) name));
            }
        }
        if (!(members.get("score") instanceof BigDecimal score)) {
            return new Judgement.Unparseable(members.containsKey("score") ? "the score is not a number" : "no score");
        }
        if (!isPoints(score)) {
            return new Judgement.Unparseable("the score is not a whole number from 1 to " + Judgement.MAX_POINTS);
        }
        Object reason = members.get("reason");
        if (members.containsKey("reason") && !(reason instanceof String)) {
            return new Judgement.Unparseable("the reason is not a string");
        }
        String why = reason == null || ((String) reason).isBlank() ? null : ((String) reason).strip();
        return Judgement.Scored.of(score.intValueExact(), why);
    }

    static boolean refusal(String text) {
        String start = text.substring(0, Math.min(text.length(), 32)).replace('\u2019', '\'').toLowerCase(Locale.ROOT);
        for (String opening : REFUSALS) {
            if (start.startsWith(opening)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The stripped text inside one code fence that wraps all of {@code text}; {@code text} itself when it is not
     * fenced; null when it opens a fence that does not close at its very end, names a language other than JSON, or
     * holds another fence.
     */
    static String unfenced(String text) {
        if (!text.startsWith("```")) {
            return text;
        }
        int lineEnd = text.indexOf('\n');
        if (lineEnd < 0 || !text.endsWith("```") || text.length() < lineEnd + 4) {
            return null;
        }
        String info = text.substring(3, lineEnd).strip();
        if (!info.isEmpty() && !info.equalsIgnoreCase("json")) {
            return null;
        }
        String inner = text.substring(lineEnd + 1, text.length() - 3);
        return inner.contains("```") ? null : inner.strip();
    }

    /** Whether {@code n} is a whole number from 1 to {@link Judgement#MAX_POINTS}, however it is written. */
    static boolean isPoints(BigDecimal n) {
        return n.compareTo(BigDecimal.ONE) >= 0 && n.compareTo(MAX) <= 0 && n.stripTrailingZeros().scale() <= 0;
    }

    /** At most {@link #QUOTED} characters of the start of {@code text}, on one line, in quotes. */
    static String quote(String text) {
        String start = Transcript.cut(text, QUOTED).replaceAll("\\s+", " ");
        return '"' + start + (text.length() > QUOTED ? "…" : "") + '"';
    }
}
