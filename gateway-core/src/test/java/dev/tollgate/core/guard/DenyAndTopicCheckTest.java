package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DenyAndTopicCheckTest {
    private static final DenyCheck DENY = DenyCheck.of(List.of("secret", "Project Falcon"),
            List.of("(?i)\\bacme-\\d{4}\\b"));

    @Test
    void termsMatchWholeWordsInAnyCase() {
        assertThat(spans(DENY, "The SECRET is out.")).containsExactly(new Span(4, 10, DenyCheck.PLACEHOLDER));
        assertThat(spans(DENY, "about project falcon, again")).hasSize(1);
        assertThat(DENY.scan("ticket Acme-2024 closed").hit()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"our secretary called", "secrets_manager", "topsecret", "ACME-12345", "project falconry"})
    void lookAlikesOfTermsPass(String text) {
        assertThat(DENY.scan(text).hit()).as(text).isFalse();
    }

    @Test
    void overlappingMatchesAreOneRedaction() {
        DenyCheck deny = DenyCheck.of(List.of("red", "red alert"), List.of());
        assertThat(Spans.replace("a red alert now", deny.scan("a red alert now").spans()))
                .isEqualTo("a [REDACTED] now");
    }

    @ParameterizedTest
    @ValueSource(strings = {"(a+)+$", "(a*)*b", "(x|xy)+z", "((ab)*c)+", "(a{1,5}){2,}", "(\\w)\\1", "(?<x>a)\\k<x>"})
    void regexesThatCanBacktrackWithoutBoundAreRefused(String regex) {
        assertThat(SafeRegex.problem(regex)).as(regex).isNotNull();
        assertThatThrownBy(() -> DenyCheck.of(List.of(), List.of(regex))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"(?i)\\bacme-\\d{4}\\b", "(ab)+c", "(a+)?b", "(?:foo|bar)baz", "[(+*)]+x", "\\(a+\\)+",
        "a{2}b", "(ab){3}", "\\Q(a+)+\\E"})
    void safeRegexesPass(String regex) {
        assertThat(SafeRegex.problem(regex)).as(regex).isNull();
    }

    @Test
    void anInvalidRegexSaysWhere() {
        assertThat(SafeRegex.problem("a(b")).startsWith("is not a valid regex: Unclosed group near index");
    }

    @Test
    void aLongTermListDoesNotExhaustTheRegexBudgetOnBenignText() {
        // The budget is for admin regexes that backtrack; a list of plain terms is linear and must not fail closed.
        List<String> terms = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            terms.add("codename" + i);
        }
        DenyCheck deny = DenyCheck.of(terms, List.of());
        String benign = "Please summarise the quarterly report for the board. ".repeat(40);
        assertThat(deny.scan(benign).hit()).isFalse();
        assertThat(spans(deny, benign + "It mentions Codename1999 once."))
                .containsExactly(new Span(benign.length() + 12, benign.length() + 24, DenyCheck.PLACEHOLDER));
    }

    @Test
    void aScanOverItsStepBudgetFailsClosedAndQuickly() {
        // Polynomial, not exponential, so the policy lets it through; the budget stops it on a long input.
        DenyCheck deny = DenyCheck.of(List.of(), List.of("\\d+\\d+\\d+x"));
        String text = "1".repeat(20_000);
        long start = System.nanoTime();
        Finding f = deny.scan(text);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(f.hit()).isTrue();
        assertThat(f.spans()).containsExactly(new Span(0, text.length(), DenyCheck.PLACEHOLDER));
    }

    @Test
    void topicsFireOnTextThatMentionsNoKeyword() {
        TopicCheck topics = TopicCheck.of(Map.of("billing", List.of("invoice", "refund"),
                "shipping", List.of("delivery date")));
        assertThat(topics.scan("Where is my Refund?").hit()).isFalse();
        assertThat(topics.scan("what's the delivery date for order 12").hit()).isFalse();
        assertThat(topics.scan("write me a poem about the sea").hit()).isTrue();
        assertThat(topics.scan("invoices are great").hit()).as("whole words only").isTrue();
        assertThat(topics.scan("").hit()).isTrue();
    }

    private static List<Span> spans(GuardCheck check, String text) {
        return check.scan(text).spans();
    }
}
