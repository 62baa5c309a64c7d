package dev.tollgate.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TemplateTest {

    @Test
    void placeholdersAreReplacedOnceAndValuesAreNeverReadAgain() {
        Template t = Template.parse("Hello {{name}}, from {{ team }}: {{name}}!");
        assertThat(t.variables()).containsExactly("name", "team");
        // A value that looks like a placeholder stays text: no second pass, no way to read another variable.
        assertThat(t.render(Map.of("name", "{{team}}", "team", "ops")))
                .isEqualTo("Hello {{team}}, from ops: {{team}}!");
    }

    @Test
    void escapedBracesAreLiteralAndOtherBackslashesStay() {
        Template t = Template.parse("JSON looks like \\{{\"a\": 1}} and \\n stays; {{x}}");
        assertThat(t.variables()).containsExactly("x");
        assertThat(t.render(Map.of("x", "ok"))).isEqualTo("JSON looks like {{\"a\": 1}} and \\n stays; ok");
    }

    @Test
    void textWithoutPlaceholdersRendersAsWritten() {
        assertThat(Template.parse("").render(Map.of())).isEmpty();
        assertThat(Template.parse("a } b }} c {").render(Map.of())).isEqualTo("a } b }} c {");
    }

    @Test
    void namesMayHoldDotsDashesAndDigitsAfterTheFirstCharacter() {
        assertThat(Template.parse("{{user.first-name_2}}").variables()).containsExactly("user.first-name_2");
        assertThat(Template.parse("{{_x}}").variables()).containsExactly("_x");
    }

    @Test
    void unclosedAndMalformedPlaceholdersAreSyntaxErrorsWithTheirOffset() {
        assertThatThrownBy(() -> Template.parse("abc {{name"))
                .isInstanceOfSatisfying(Template.SyntaxException.class, e -> assertThat(e.offset()).isEqualTo(4))
                .hasMessageContaining("never closed");
        for (String bad : new String[] {"{{}}", "{{ 1abc }}", "{{a b}}", "{{é}}", "{{a}b}}"}) {
            assertThatThrownBy(() -> Template.parse(bad)).as(bad).isInstanceOf(Template.SyntaxException.class)
                    .hasMessageContaining("not a variable name");
        }
    }

    @Test
    void anOverLongNameSaysTheLimitAndABadPlaceholderIsShownShortened() {
        assertThatThrownBy(() -> Template.parse("Hi {{ " + "x".repeat(Template.MAX_NAME + 1) + " }}"))
                .isInstanceOf(Template.SyntaxException.class)
                .hasMessage("'{{ " + "x".repeat(37) + "...' at offset 3 has a variable name longer than 64 "
                        + "characters");
        assertThat(Template.parse("{{" + "x".repeat(Template.MAX_NAME) + "}}").variables()).hasSize(1);
        assertThatThrownBy(() -> Template.parse("{{ not a name" + " padding".repeat(1000) + " }}"))
                .isInstanceOf(Template.SyntaxException.class)
                .hasMessageStartingWith("'{{ not a name padding padding padding pa...' at offset 0 is not a variable "
                        + "name");
    }

    @Test
    void renderingWithoutAValueFailsLoudly() {
        assertThatThrownBy(() -> Template.parse("{{a}}").render(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    }

    /** Any text either parses (and then renders with every variable set) or is refused with a syntax error. */
    @Property(tries = 2000)
    void anyTextParsesOrIsRefusedCleanly(@ForAll("templateish") String text) {
        Template t;
        try {
            t = Template.parse(text);
        } catch (Template.SyntaxException e) {
            assertThat(e.offset()).isBetween(0, text.length());
            return;
        }
        var values = new java.util.HashMap<String, String>();
        t.variables().forEach(v -> values.put(v, "<" + v + ">"));
        String out = t.render(values);
        assertThat(Template.parse(text)).isEqualTo(t);
        if (t.variables().isEmpty() && !text.contains("\\{{")) {
            assertThat(out).isEqualTo(text);
        }
    }

    @Provide
    Arbitrary<String> templateish() {
        return Arbitraries.of("{{", "}}", "\\{{", "\\", "a", " ", "name", "{", "}", ".", "1", "é", "{{x}}", "\n")
                .list().ofMaxSize(12).map(parts -> String.join("", parts));
    }
}
