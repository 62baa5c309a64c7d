package dev.tollgate.server.spend;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.quota.QuotaCheck;
import java.util.List;

/**
 * A {@link Quote} decided in all but the request's size: the scopes that count the request, its price, and whether
 * any of those scopes needs the size (a budget reserves the worst-case cost, a token limit the worst-case tokens).
 * The size is the costly part (the prompt's token count), so it is taken apart from the decision: see
 * {@link Accounting#pending} and {@link Accounting#complete}. Immutable, so it may be completed on another thread.
 *
 * @param checks the scopes the request is counted in
 * @param price the deployment's price (or the admin's price for unpriced models), or null when it has none
 * @param fallbackPrice true when {@code price} is the admin's price for unpriced models
 * @param budgeted some scope has a budget: the quote reserves a cost
 * @param tokenLimited some scope has a token limit: the quote reserves tokens
 */
public record PendingQuote(List<QuotaCheck> checks, Price price, boolean fallbackPrice, boolean budgeted,
                           boolean tokenLimited) {
    /** The output a request reserves when neither the client nor the price table caps it. */
    static final long DEFAULT_OUTPUT_RESERVE = 4096;

    public PendingQuote {
        checks = List.copyOf(checks);
    }

    /** Whether completing this quote takes the request's size. */
    public boolean needsSize() {
        return budgeted || tokenLimited;
    }

    /** The quote of a request nothing needs the size of: it reserves no tokens and no cost. */
    Quote unsized() {
        return new Quote(checks, 0, Money.ZERO, price, fallbackPrice);
    }

    /** The quote of a request of {@code size}; only for a quote that {@link #needsSize() needs} it. */
    Quote sized(RequestSize size) {
        long output = outputReserve(size, price);
        long tokens = Math.addExact(size.inputTokens(), output);
        Money cost = budgeted ? price.worstCase(size.inputTokens(), output) : Money.ZERO;
        return new Quote(checks, tokens, cost, price, fallbackPrice);
    }

    /**
     * The output tokens reserved, times the choices: the client's cap (within the model's, when the price table
     * knows it: a provider refuses more), else the model's cap, else {@link #DEFAULT_OUTPUT_RESERVE}. Only in
     * that last case can a request use more than it reserved; it is then charged in full all the same.
     */
    private static long outputReserve(RequestSize size, Price price) {
        if (size.maxOutputTokens() == 0) {
            return 0;
        }
        long modelCap = price != null ? price.maxOutputTokens() : 0;
        long perChoice;
        if (size.maxOutputTokens() > 0) {
            perChoice = modelCap > 0 ? Math.min(size.maxOutputTokens(), modelCap) : size.maxOutputTokens();
        } else {
            perChoice = modelCap > 0 ? modelCap : DEFAULT_OUTPUT_RESERVE;
        }
        return Math.multiplyExact(perChoice, size.choices());
    }
}
