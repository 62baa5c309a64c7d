package dev.tollgate.core.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * The guardrails of one stage of one request, each with the strongest result it has come to so far (pass, flag,
 * redact, block, in that order), and the screening of one text by them. Single-threaded: one per screening.
 */
final class Tally {
    private final List<Guardrail> guardrails;
    private final GuardStage stage;
    private final GuardResult[] results;
    private String blockedBy;

    Tally(List<Guardrail> guardrails, GuardStage stage) {
        this.guardrails = guardrails;
        this.stage = stage;
        this.results = new GuardResult[guardrails.size()];
        java.util.Arrays.fill(results, GuardResult.PASS);
    }

    List<Guardrail> guardrails() {
        return guardrails;
    }

    boolean blocked() {
        return blockedBy != null;
    }

    String blockedBy() {
        return blockedBy;
    }

    /** Notes that guardrail {@code i} found something: its action is its result. */
    void fired(int i) {
        Guardrail g = guardrails.get(i);
        GuardResult result = GuardResult.of(g.action());
        if (result.compareTo(results[i]) > 0) {
            results[i] = result;
        }
        if (result == GuardResult.BLOCK && blockedBy == null) {
            blockedBy = g.name();
        }
    }

    /**
     * Screens one text: notes what fires, and returns the text with what the redacting guardrails found replaced.
     *
     * @param injection whether injection screening reads this text (not the application's own instructions)
     */
    String screen(String text, boolean injection) {
        if (text.isEmpty() || blocked()) {
            return text;
        }
        List<Span> redact = null;
        for (int i = 0; i < guardrails.size(); i++) {
            GuardCheck check = guardrails.get(i).check();
            if (check instanceof TopicCheck || (check instanceof InjectionCheck && !injection)) {
                continue;
            }
            Finding f = check.scan(text);
            if (!f.hit()) {
                continue;
            }
            fired(i);
            if (blocked()) {
                return text;
            }
            if (guardrails.get(i).action() == GuardAction.REDACT) {
                if (redact == null) {
                    redact = new ArrayList<>(f.spans());
                } else {
                    redact.addAll(f.spans());
                }
            }
        }
        return redact == null ? text : Spans.replace(text, Spans.disjoint(redact));
    }

    /** Runs only the injection checks on {@code text}: it is screened whole elsewhere, or not at all. */
    void screenInjection(String text) {
        for (int i = 0; i < guardrails.size() && !blocked(); i++) {
            if (guardrails.get(i).check() instanceof InjectionCheck check && check.scan(text).hit()) {
                fired(i);
            }
        }
    }

    /** One verdict per guardrail. */
    List<Verdict> verdicts() {
        List<Verdict> out = new ArrayList<>(results.length);
        for (int i = 0; i < results.length; i++) {
            out.add(new Verdict(guardrails.get(i).name(), stage, results[i]));
        }
        return out;
    }

    <T> Screened<T> result(T value, long startNanos) {
        return new Screened<>(value, verdicts(), blockedBy, System.nanoTime() - startNanos);
    }
}
