package dev.tollgate.core.pricing;

import static dev.tollgate.core.pricing.PriceTest.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PriceBookTest {
    private static final PriceBook BOOK = PriceBook.builtIn();

    @ParameterizedTest(name = "{1} {2} -> {3}")
    @CsvSource({
        // provider type, upstream spelling, the name whose price it must have
        "openai,    gpt-4o,                                      gpt-4o",
        "openai,    gpt-4o-2024-08-06,                           gpt-4o",
        "openai,    gpt-4o-2024-11-20,                           gpt-4o",
        "openai,    gpt-4o-mini-2024-07-18,                      gpt-4o-mini",
        "openai,    GPT-4.1-Mini,                                gpt-4.1-mini",
        "openai,    o3-mini-2025-01-31,                          o3-mini",
        "openai,    gpt-5-chat-latest,                           gpt-5-chat",
        "azure-openai, gpt-4.1-nano,                             gpt-4.1-nano",
        "anthropic, claude-3-5-haiku-20241022,                   claude-3-5-haiku",
        "anthropic, claude-3-5-haiku-latest,                     claude-3-5-haiku",
        "anthropic, claude-sonnet-4-20250514,                    claude-sonnet-4",
        "anthropic, claude-sonnet-4-0,                           claude-sonnet-4",
        "anthropic, claude-opus-4-1-20250805,                    claude-opus-4-1",
        "anthropic, claude-sonnet-4-5-20250929,                  claude-sonnet-4-5",
        "gemini,    models/gemini-2.5-flash,                     gemini-2.5-flash",
        "gemini,    gemini-1.5-pro-002,                          gemini-1.5-pro",
        "gemini,    gemini-2.0-flash-001,                        gemini-2.0-flash",
        "openai,    claude-3-5-sonnet-v2@20241022,               claude-3-5-sonnet",
        "openai,    claude-3-7-sonnet@20250219,                  claude-3-7-sonnet",
        "bedrock,   anthropic.claude-3-5-haiku-20241022-v1:0,    claude-3-5-haiku",
        "bedrock,   us.anthropic.claude-3-7-sonnet-20250219-v1:0, claude-3-7-sonnet",
        "bedrock,   eu.anthropic.claude-sonnet-4-20250514-v1:0,  claude-sonnet-4",
        "bedrock,   global.anthropic.claude-sonnet-4-20250514-v1:0, claude-sonnet-4",
        "bedrock,   global.anthropic.claude-sonnet-4-5-20250929-v1:0, claude-sonnet-4-5",
    })
    void commonSpellingsFindTheirModel(String type, String upstream, String model) {
        Price price = BOOK.find("p", type, upstream);
        assertThat(price).isNotNull().isEqualTo(BOOK.find("p", "anthropic", model));
    }

    @Test
    void hostPricesFromTheTable() {
        assertThat(BOOK.find("openai", "openai", "gpt-4o-mini"))
                .isEqualTo(new Price(usd("0.15"), usd("0.60"), usd("0.075"), usd("0.15"), usd("0.60"), 16_384));
        assertThat(BOOK.find("anthropic", "anthropic", "claude-sonnet-4-5"))
                .isEqualTo(new Price(usd("3"), usd("15"), usd("0.30"), usd("3.75"), usd("15"), 64_000));
        assertThat(BOOK.find("openai", "openai", "text-embedding-3-small"))
                .isEqualTo(new Price(usd("0.02"), Money.ZERO, usd("0.02"), usd("0.02"), Money.ZERO, 0));
    }

    @Test
    void bedrockRegionalProfilesOfNewerClaudeModelsCostTenPercentMore() {
        Price global = BOOK.find("b", "bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0");
        Price regional = BOOK.find("b", "bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        assertThat(global.input()).isEqualTo(usd("3"));
        assertThat(regional.input()).isEqualTo(usd("3.30"));
        assertThat(regional.output()).isEqualTo(usd("16.50"));
        assertThat(BOOK.find("b", "bedrock", "anthropic.claude-haiku-4-5-20251001-v1:0").input()).isEqualTo(usd("1.10"));
        // Vertex ids do not say which endpoint serves them: the regional (dearer) rate is charged
        assertThat(BOOK.find("v", "openai", "claude-opus-4-5@20251101").input()).isEqualTo(usd("5.50"));
    }

    @Test
    void otherBedrockModelsByTheirIds() {
        assertThat(BOOK.find("b", "bedrock", "us.meta.llama3-3-70b-instruct-v1:0").input()).isEqualTo(usd("0.72"));
        assertThat(BOOK.find("b", "bedrock", "amazon.titan-embed-text-v2:0").input()).isEqualTo(usd("0.02"));
        assertThat(BOOK.find("b", "bedrock", "amazon.titan-embed-text-v1").input()).isEqualTo(usd("0.10"));
    }

    @Test
    void snapshotsWithTheirOwnPriceKeepIt() {
        assertThat(BOOK.find("o", "openai", "gpt-4o-2024-05-13").input()).isEqualTo(usd("5"));
        assertThat(BOOK.find("o", "openai", "gpt-4o-2024-08-06").input()).isEqualTo(usd("2.50"));
    }

    @Test
    void neverAnotherModelsPrice() {
        assertThat(BOOK.find("o", "openai", "gpt-4o-mini").input()).isEqualTo(usd("0.15"));
        assertThat(BOOK.find("o", "openai", "gpt-4o").input()).isEqualTo(usd("2.50"));
        assertThat(BOOK.find("o", "openai", "gpt-4.1-mini")).isNotEqualTo(BOOK.find("o", "openai", "gpt-4.1"));
        assertThat(BOOK.find("o", "openai", "o1-mini")).isNotEqualTo(BOOK.find("o", "openai", "o1"));
        assertThat(BOOK.find("a", "anthropic", "claude-opus-4-5-20251101").input()).isEqualTo(usd("5"));
        assertThat(BOOK.find("a", "anthropic", "claude-opus-4-20250514").input()).isEqualTo(usd("15"));
        assertThat(BOOK.find("g", "gemini", "gemini-2.5-flash-lite").input()).isEqualTo(usd("0.10"));
        assertThat(BOOK.find("g", "gemini", "gemini-2.5-flash").input()).isEqualTo(usd("0.30"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "gpt-4o-mini-audio-preview",   // a different model that merely starts like a priced one
        "gpt-4o-realtime-preview",
        "chatgpt-4o-latest",           // an alias that moves, priced apart by OpenAI
        "gpt-3.5-turbo-1106",          // an older snapshot at another price
        "gpt-4-32k",
        "gpt-6",
        "claude-2.1",
        "claude-sonnet-4-6",
        "gemini-1.5-flash-8b",
        "gemini-2.5-flash-preview-05-20", // previews were priced apart
        "gemini-flash-latest",
        "text-embedding-004",
        "llama-3.1-8b",                // who serves it decides the price
        "mistral-large-latest",
        "anthropic.claude-3-5-sonnet-20241022-v2:0", // Bedrock extended-access pricing is not known here
        "us.anthropic.claude-v2:1",
        "mistral.mistral-large-2402-v1:0",
        "amazon.titan-embed-text-v3:0",
        "gpt-4o-2024",
        "",
    })
    void unknownModelsAreUnpriced(String upstream) {
        // the provider type plays no part in built-in matching (only mock is special)
        assertThat(BOOK.find("p", "openai", upstream)).isNull();
    }

    @Test
    void overridesWinProviderSpecificFirst() {
        Price cheap = Price.simple(usd("0.01"), usd("0.02"));
        Price local = Price.simple(usd("0.001"), usd("0.002"));
        PriceBook book = BOOK.withOverrides(Map.of("gpt-4o-mini", cheap, "local/llama-3.1-8b", local,
                "local/gpt-4o-mini", local));

        assertThat(book.find("openai", "openai", "gpt-4o-mini")).isEqualTo(cheap);
        assertThat(book.find("local", "openai", "gpt-4o-mini")).isEqualTo(local);
        assertThat(book.find("local", "openai", "llama-3.1-8b")).isEqualTo(local);
        assertThat(book.find("groq", "openai", "llama-3.1-8b")).isNull();
        // the built-in table still answers what is not overridden, and the original book is unchanged
        assertThat(book.find("openai", "openai", "gpt-4o").input()).isEqualTo(usd("2.50"));
        assertThat(BOOK.find("openai", "openai", "gpt-4o-mini").input()).isEqualTo(usd("0.15"));
    }

    @Test
    void overrideKeysMatchTheModelAsSpelled() {
        Price cheap = Price.simple(usd("0.01"), usd("0.02"));
        PriceBook book = BOOK.withOverrides(Map.of("gpt-4o-mini", cheap));
        assertThat(book.find("openai", "openai", "gpt-4o-mini-2024-07-18").input()).isEqualTo(usd("0.15"));
    }

    @Test
    void laterOverridesReplaceEarlierOnes() {
        Price first = Price.simple(usd("1"), usd("1"));
        Price second = Price.simple(usd("2"), usd("2"));
        PriceBook book = BOOK.withOverrides(Map.of("m", first, "n", first)).withOverrides(Map.of("m", second));
        assertThat(book.find("p", "openai", "m")).isEqualTo(second);
        assertThat(book.find("p", "openai", "n")).isEqualTo(first);
        assertThatThrownBy(() -> BOOK.withOverrides(Map.of(" ", first))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void repeatedLookupsAgree() {
        for (int i = 0; i < 3; i++) {
            assertThat(BOOK.find("o", "openai", "gpt-4o-2024-08-06").input()).isEqualTo(usd("2.50"));
            assertThat(BOOK.find("o", "openai", "no-such-model")).isNull();
        }
        assertThatThrownBy(() -> BOOK.find("o", "openai", null)).isInstanceOf(NullPointerException.class);
    }
}
