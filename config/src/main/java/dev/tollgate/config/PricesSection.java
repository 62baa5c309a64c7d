package dev.tollgate.config;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.Price;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds the {@code prices} section, and the price mapping {@code budgets.unpriced_price} shares with it: US dollars
 * per million tokens of each kind. Cached input and cache writes default to the input rate and reasoning to the
 * output rate, as {@link Price#simple} has it. Which names the built-in table knows is not checked here: a price
 * may well be for a model the table does not have yet.
 */
final class PricesSection {
    static final Set<String> KEYS = Set.of(
            "input", "output", "cached_input", "cache_write", "reasoning", "max_output_tokens");
    /** Longer than any real answer limit, so that a typo does not make every worst case absurd. */
    static final long MAX_OUTPUT_TOKENS = 100_000_000;

    private PricesSection() {}

    static Map<String, PriceConfig> bind(List<YamlNode.Entry> entries, String path, Diagnostics problems) {
        var prices = new LinkedHashMap<String, PriceConfig>();
        for (YamlNode.Entry entry : entries) {
            String pricePath = Origin.keyPath(path, entry.key());
            Origin at = entry.origin(pricePath);
            if (entry.key().isBlank() || entry.key().codePoints().anyMatch(
                    c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                problems.error(at, "a price is named by a model (or provider/model) without spaces");
            }
            Price price = price(MappingReader.of(entry.value(), pricePath, KEYS, problems));
            prices.put(entry.key(), new PriceConfig(entry.key(), at, price));
        }
        return prices;
    }

    /** The price in {@code p}; null when a rate is missing or unusable (reported). */
    static Price price(MappingReader p) {
        p.requirePresent("input");
        p.requirePresent("output");
        Money input = p.usd("input", true);
        Money output = p.usd("output", true);
        Money cachedInput = optional(p, "cached_input", input);
        Money cacheWrite = optional(p, "cache_write", input);
        Money reasoning = optional(p, "reasoning", output);
        long maxOutputTokens = p.wholeNumber("max_output_tokens", 0, 1, MAX_OUTPUT_TOKENS);
        if (input == null || output == null || cachedInput == null || cacheWrite == null || reasoning == null) {
            return null;
        }
        return new Price(input, output, cachedInput, cacheWrite, reasoning, maxOutputTokens);
    }

    /** The rate under {@code key}, {@code fallback} when absent, null when unusable. */
    private static Money optional(MappingReader p, String key, Money fallback) {
        return p.has(key) ? p.usd(key, true) : fallback;
    }
}
