package dev.tollgate.server.spend;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.quota.QuotaCheck;
import java.util.ArrayList;
import java.util.List;

/**
 * What one request will reserve, decided before it is sent.
 *
 * @param checks the scopes it is counted in; empty when nothing limits it (no store call then)
 * @param tokens worst-case tokens, reserved against token limits (0 when none applies)
 * @param cost worst-case cost, reserved against budgets (zero when none applies)
 * @param price the deployment's price, or null when it has none
 * @param fallbackPrice true when {@code price} is the admin's price for unpriced models: the request is then
 *     charged its reservation, since its real price is unknown
 */
public record Quote(List<QuotaCheck> checks, long tokens, Money cost, Price price, boolean fallbackPrice) {
    public Quote {
        checks = List.copyOf(checks);
        requireNonNull(cost, "cost");
    }

    public boolean limited() {
        return !checks.isEmpty();
    }

    /**
     * This quote for a fallback attempt of a request already admitted once: the caller's scopes (key, user, team,
     * global) do not count it as a second request, while the new deployment's own scope does, since that upstream
     * really receives one.
     */
    public Quote followUp() {
        List<QuotaCheck> followUp = new ArrayList<>(checks.size());
        for (QuotaCheck check : checks) {
            followUp.add(Accounting.isDeploymentScope(check.scope()) ? check : check.uncounted());
        }
        return new Quote(followUp, tokens, cost, price, fallbackPrice);
    }
}
