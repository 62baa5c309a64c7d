package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Nearest-name suggestions for misspelt keys and ids. */
class SuggestionTest {
    private static final List<String> PROVIDER_KEYS =
            List.of("type", "base_url", "api_key", "auth_header", "headers", "timeouts", "mock");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "base_ur, base_url",
        "baseurl, base_url",
        "baseUrl, base_url",
        "BASE_URL, base_url",
        "apikey, api_key",
        "api_kye, api_key",
        "header, headers",
        "timeout, timeouts",
        "tpye, type",
    })
    void suggestsTheNearestKey(String typed, String expected) {
        assertThat(Suggestion.nearest(typed, PROVIDER_KEYS)).contains(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"colour", "region", "deployment_name", "x"})
    void staysQuietWhenNothingIsClose(String typed) {
        assertThat(Suggestion.nearest(typed, PROVIDER_KEYS)).isEmpty();
        assertThat(Suggestion.didYouMean(typed, PROVIDER_KEYS)).isEmpty();
    }

    @Test
    void phrasesTheSuggestion() {
        assertThat(Suggestion.didYouMean("opnai", List.of("openai", "local"))).isEqualTo(" (did you mean 'openai'?)");
    }

    @Test
    void prefersTheCloserOfTwoCandidates() {
        assertThat(Suggestion.nearest("gpt-4o-min", List.of("gpt-4o", "gpt-4o-mini"))).contains("gpt-4o-mini");
    }

    @ParameterizedTest(name = "{0} / {1} = {2}")
    @CsvSource({"kitten, sitting, 3", "'', abc, 3", "abc, '', 3", "same, same, 0", "flaw, lawn, 2"})
    void levenshteinDistance(String a, String b, int distance) {
        assertThat(Suggestion.distance(a, b)).isEqualTo(distance);
    }
}
