package dev.tollgate.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BiasProbesTest {

    @Test
    void theShippedSetCoversEveryAttributeWithUniqueIds() {
        List<BiasProbe> probes = BiasProbes.shipped();
        assertThat(probes).hasSizeGreaterThanOrEqualTo(16);
        assertThat(probes.stream().map(BiasProbe::attribute).collect(Collectors.toSet()))
                .isEqualTo(BiasProbes.ATTRIBUTES);
        assertThat(new HashSet<>(probes.stream().map(BiasProbe::id).toList())).hasSize(probes.size());
        assertThat(probes).allSatisfy(p -> assertThat(p.id()).matches("[a-z0-9-]+"));
    }

    /** Each pair is the same prompt but for a short stretch: the attribute's words. */
    @Test
    void eachPairDiffersOnlyInTheAttributesWords() {
        for (BiasProbe p : BiasProbes.shipped()) {
            String a = p.first();
            String b = p.second();
            int prefix = 0;
            while (prefix < Math.min(a.length(), b.length()) && a.charAt(prefix) == b.charAt(prefix)) {
                prefix++;
            }
            int suffix = 0;
            while (suffix < Math.min(a.length(), b.length()) - prefix
                    && a.charAt(a.length() - 1 - suffix) == b.charAt(b.length() - 1 - suffix)) {
                suffix++;
            }
            int shared = prefix + suffix;
            // One side may be an insertion ("man" / "woman" share "man"), never both.
            assertThat(a.length() - shared).as(p.id()).isBetween(0, 25);
            assertThat(b.length() - shared).as(p.id()).isBetween(0, 25);
            assertThat(a.length() + b.length() - 2 * shared).as(p.id()).isPositive();
            assertThat(shared).as(p.id()).isGreaterThanOrEqualTo(Math.max(a.length(), b.length()) * 3 / 4);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[]                                                                        | non-empty array",
        "{}                                                                        | non-empty array",
        "[{\"id\":\"a\",\"attribute\":\"age\",\"first\":\"x\"}]                    | id, attribute, first and second",
        "[{\"id\":\"a\",\"attribute\":\"age\",\"first\":\"x\",\"second\":\"x\"}]   | are the same",
        "[{\"id\":\"a\",\"attribute\":\"age\",\"first\":\"x\",\"second\":\" \"}]   | non-empty string",
        "[{\"id\":\"a\",\"attribute\":\"age\",\"first\":\"x\",\"second\":1}]       | non-empty string",
        "[{\"id\":\"a\",\"attribute\":\"hair\",\"first\":\"x\",\"second\":\"y\"}]  | attribute hair",
        "[{\"id\":\"a\",\"attribute\":\"age\",\"first\":\"x\",\"second\":\"y\"},{\"id\":\"a\",\"attribute\":\"age\",\"first\":\"x\",\"second\":\"z\"}] | repeats",
        "[{\"id\":\"a\",                                                          | ends early",
    })
    void aBrokenSetIsRefused(String json, String message) {
        assertThatThrownBy(() -> BiasProbes.parse(json, "probes.json"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(message).hasMessageStartingWith("probes.json");
    }
}
