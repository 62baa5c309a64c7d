package dev.tollgate.core.guard;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The maintained pattern set behind {@link InjectionCheck}. Each rule has a weight; a text's score is
 * {@code 1 - Π(1 - weight)} over the distinct rules it matches, so one strong sign (an instruction override) reaches
 * the default threshold of 0.5 alone while weak ones (an invisible character, "no restrictions") need company.
 *
 * <p>The phrase rules read the {@link ScreenText} form (look-alikes mapped, invisibles dropped, lower case), and
 * require the words that make a phrase an attack, not just its verb: "ignore the previous error and retry" does not
 * match the override rule, "ignore all previous instructions" does. Every repetition is bounded, so a scan is linear.
 * Plausible base64 runs (24 to 4,096 characters) are decoded and, when they decode to text, read by the phrase rules
 * as well: a payload wrapped to slip past them still scores. Every run is tried, not the first few, so decoys
 * cannot push a payload out of reach; runs do not overlap, so decoding them all stays linear in the text.
 */
final class InjectionRules {
    /** The rules; each counts once per text, however often it matches. */
    enum Rule {
        INSTRUCTION_OVERRIDE(0.6),
        NEW_INSTRUCTIONS(0.35),
        ROLE_PLAY_ESCAPE(0.6),
        JAILBREAK_MODE(0.35),
        NO_LIMITS(0.3),
        PROMPT_EXTRACTION(0.6),
        CHAT_TEMPLATE_MARKUP(0.4),
        TAG_CHARACTERS(0.8),
        BIDI_CONTROLS(0.3),
        ZERO_WIDTH_IN_WORD(0.3),
        MIXED_SCRIPT(0.3),
        ENCODED_PAYLOAD(0.3);

        final double weight;

        Rule(double weight) {
            this.weight = weight;
        }
    }

    private record Phrase(Rule rule, Pattern pattern) {}

    /**
     * Whose orders are overridden: not the writer's own ("ignore my previous instructions, I meant Python" is a user
     * correcting themselves; an injection addresses the model's orders), so no word of the phrase may be "my".
     */
    private static final String QUALIFIER = "(?:previous|prior|above|earlier|preceding|foregoing|initial|original"
            + "|system|all|your|developer's|developer)";
    private static final String NOT_MINE = "(?!my\\b)";
    private static final String ORDERS = "(?:instructions?|prompts?|rules|directives?|guidelines|guidance|context"
            + "|commands?|programming|constraints|restrictions|policies|guardrails|safeguards)";

    private static final List<Phrase> PHRASES = List.of(
            phrase(Rule.INSTRUCTION_OVERRIDE, "\\b(?:ignore|disregard|forget|override|bypass|abandon|neglect)"
                    + "(?: " + NOT_MINE + "[a-z']{1,20}){0,3}? " + QUALIFIER
                    + " (?:" + NOT_MINE + "[a-z']{1,20} ){0,2}?" + ORDERS + "\\b"),
            phrase(Rule.NEW_INSTRUCTIONS, "\\b(?:from now on|starting now|henceforth),? you (?:will|must|are|shall"
                    + "|should|can|have)\\b|\\bnew (?:instructions|rules|directives|system prompt) ?:"),
            phrase(Rule.ROLE_PLAY_ESCAPE, "\\b(?:you are|you're|act as|acting as|pretend to be|pretend you are"
                    + "|roleplay as|role-play as|become) (?:now )?(?:an? |the )?(?:dan|stan|dude|aim|evil confidant"
                    + "|jailbroken|unfiltered|uncensored|unrestricted|unchained|amoral)\\b|\\bdo anything now\\b"),
            phrase(Rule.JAILBREAK_MODE, "\\b(?:dan|jailbreak|jailbroken|god|evil|unrestricted) mode\\b"),
            phrase(Rule.NO_LIMITS, "\\b(?:without|free of|free from|no|ignoring) (?:any )?(?:ethical |moral "
                    + "|content |safety )?(?:restrictions|filters|filtering|limitations|censorship|safeguards)\\b"),
            phrase(Rule.PROMPT_EXTRACTION, "\\b(?:reveal|show|print|repeat|output|display|disclose|leak|dump"
                    + "|tell me|give me|what (?:is|are|were)|write out|spell out|recite)(?: [a-z']{1,20}){0,2}? "
                    + "(?:(?:your|the) (?:system prompt|system message|developer message|initial (?:instructions"
                    + "|prompt)|hidden (?:instructions|prompt)|original (?:instructions|prompt)|secret instructions"
                    + "|(?:instructions|text|words|prompt) above)|everything above|all (?:of )?the text above)\\b"),
            phrase(Rule.CHAT_TEMPLATE_MARKUP, "<\\|im_start\\|>|<\\|im_end\\|>|<\\|system\\|>|\\[/?inst\\]"
                    + "|<</?sys>>|\\bend of (?:the )?system prompt\\b"));

    private static final Pattern BASE64_RUN =
            Pattern.compile("(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{24,4096}={0,2}(?![A-Za-z0-9+/=_-])");

    private InjectionRules() {}

    /** The score of {@code text}, 0 to 1. */
    static double score(String text) {
        return score(matched(text));
    }

    static double score(Set<Rule> rules) {
        double pass = 1;
        for (Rule r : rules) {
            pass *= 1 - r.weight;
        }
        return 1 - pass;
    }

    /** The rules {@code text} matches. */
    static Set<Rule> matched(String text) {
        EnumSet<Rule> found = EnumSet.noneOf(Rule.class);
        if (text.isEmpty()) {
            return found;
        }
        ScreenText screened = ScreenText.of(text);
        phrases(screened.text(), found);
        if (screened.tags()) {
            found.add(Rule.TAG_CHARACTERS);
            phrases(screened.tagPayload(), found);
        }
        if (screened.bidi()) {
            found.add(Rule.BIDI_CONTROLS);
        }
        if (screened.zeroWidthInWord()) {
            found.add(Rule.ZERO_WIDTH_IN_WORD);
        }
        if (screened.mixedScript()) {
            found.add(Rule.MIXED_SCRIPT);
        }
        payloads(text, found);
        return found;
    }

    private static void phrases(String normalised, Set<Rule> found) {
        for (Phrase p : PHRASES) {
            if (!found.contains(p.rule()) && p.pattern().matcher(normalised).find()) {
                found.add(p.rule());
            }
        }
    }

    /** Decodes plausible base64 runs and reads what decodes to text; a phrase found that way counts, and more. */
    private static void payloads(String text, Set<Rule> found) {
        Matcher m = BASE64_RUN.matcher(text);
        while (m.find()) {
            String decoded = decodedText(text.substring(m.start(), m.end()));
            if (decoded == null) {
                continue;
            }
            EnumSet<Rule> inside = EnumSet.noneOf(Rule.class);
            phrases(ScreenText.of(decoded).text(), inside);
            if (!inside.isEmpty()) {
                found.addAll(inside);
                found.add(Rule.ENCODED_PAYLOAD);
            }
        }
    }

    /** The run decoded as UTF-8 text, or null when it is not base64 of mostly printable text (a key, an image). */
    private static String decodedText(String run) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(run);
        } catch (IllegalArgumentException e) {
            return null; // a run of the right letters that is not base64 (a length off by padding)
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        int printable = 0;
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (!Character.isISOControl(c) || c == '\n' || c == '\t' || c == '\r') {
                printable++;
            }
        }
        return printable * 10 >= decoded.length() * 9 ? decoded : null;
    }

    private static Phrase phrase(Rule rule, String regex) {
        return new Phrase(rule, Pattern.compile(regex));
    }
}
