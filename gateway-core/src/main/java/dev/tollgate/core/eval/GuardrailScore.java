package dev.tollgate.core.eval;

import dev.tollgate.core.guard.Finding;
import dev.tollgate.core.guard.Guardrail;
import dev.tollgate.core.guard.PiiCheck;
import dev.tollgate.core.guard.Span;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * Guardrails run over an answer as detectors, never blocking: the {@code guardrail} evaluator's score.
 *
 * @param score 1 when no guardrail found anything, 0 when any did
 * @param rationale which guardrails found something and of what kind (for PII, which types), never what they found;
 *     null when none did
 */
public record GuardrailScore(double score, String rationale) {
    public static final GuardrailScore CLEAN = new GuardrailScore(1, null);

    /** Runs each of {@code guardrails}' checks on {@code answer}, whatever its action and stages. */
    public static GuardrailScore of(List<Guardrail> guardrails, String answer) {
        var found = new StringJoiner("; ");
        for (Guardrail g : guardrails) {
            Finding finding = g.check().scan(answer);
            if (finding.hit()) {
                found.add(g.name() + " found " + g.check().kind()
                        + (g.check() instanceof PiiCheck ? types(finding.spans()) : ""));
            }
        }
        return found.length() == 0 ? CLEAN
                : new GuardrailScore(0, Transcript.cut(found.toString(), EvaluationResult.MAX_RATIONALE));
    }

    /** The PII types found, distinct and sorted, as their placeholders ({@code [EMAIL] [PHONE]}): never the data. */
    private static String types(List<Span> spans) {
        Set<String> kinds = new TreeSet<>();
        for (Span s : spans) {
            kinds.add(s.placeholder());
        }
        return " " + String.join(" ", kinds);
    }
}
