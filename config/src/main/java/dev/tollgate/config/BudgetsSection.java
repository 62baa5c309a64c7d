package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AlertWebhook;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.pricing.Unpriced;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.runtime.Secret;
import java.net.URI;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds the {@code budgets} section: the time zone calendar periods follow, the global budget, what happens to a
 * model without a price, and where alerts are POSTed. Every key is optional.
 */
final class BudgetsSection {
    static final Set<String> KEYS = Set.of("time_zone", "global", "unpriced", "unpriced_price", "alert_webhook");
    static final Set<String> WEBHOOK_KEYS = Set.of("url", "authorization");
    /** Choices of {@code unpriced} by the name the file uses, the default first. */
    static final Map<String, Unpriced> UNPRICED;
    static final ZoneId DEFAULT_ZONE = ZoneId.of("UTC");

    static {
        var unpriced = new LinkedHashMap<String, Unpriced>();
        for (Unpriced choice : Unpriced.values()) {
            unpriced.put(choice.name().toLowerCase(Locale.ROOT), choice);
        }
        UNPRICED = Collections.unmodifiableMap(unpriced);
    }

    private final SecretReferences secrets;

    BudgetsSection(SecretReferences secrets) {
        this.secrets = requireNonNull(secrets, "secrets");
    }

    BudgetsConfig bind(MappingReader b, Diagnostics problems) {
        ZoneId zone = b.parsed("time_zone", DEFAULT_ZONE, BudgetsSection::zone, "expected a time zone");
        Budget global = QuotaSection.budget(b, "global", problems);
        Unpriced unpriced = unpriced(b, problems);
        Price unpricedPrice = null;
        if (unpriced == Unpriced.CHARGE_RESERVATION) {
            if (!b.has("unpriced_price")) {
                problems.error(b.origin("unpriced"),
                        "charge_reservation needs unpriced_price: the rates a model without a price is charged at");
            } else {
                unpricedPrice = PricesSection.price(b.child("unpriced_price", PricesSection.KEYS));
            }
        } else if (unpriced != null) {
            b.forbid("unpriced_price", "unless unpriced is charge_reservation: with reject it is never used");
        }
        AlertWebhook webhook = b.has("alert_webhook")
                ? webhook(b.child("alert_webhook", WEBHOOK_KEYS), problems)
                : null;
        return new BudgetsConfig(zone, global, unpriced == null ? Unpriced.REJECT : unpriced, unpricedPrice, webhook);
    }

    /** The choice, or null (reported) when unknown; the default when absent. */
    private static Unpriced unpriced(MappingReader b, Diagnostics problems) {
        String name = b.string("unpriced");
        if (name == null) {
            return b.has("unpriced") ? null : Unpriced.REJECT;
        }
        Unpriced choice = UNPRICED.get(name);
        if (choice == null) {
            problems.error(b.origin("unpriced"), "unknown choice '" + name + "'"
                    + Suggestion.didYouMean(name, UNPRICED.keySet())
                    + "; expected " + String.join(" or ", UNPRICED.keySet()));
        }
        return choice;
    }

    private AlertWebhook webhook(MappingReader w, Diagnostics problems) {
        w.requirePresent("url");
        URI url = w.parsed("url", null, BudgetsSection::webhookUrl, "expected an http or https URL");
        Secret authorization = secrets.field(w, "authorization", problems);
        return url == null ? null : new AlertWebhook(url, authorization);
    }

    /** A time zone by region ({@code Europe/Berlin}) or offset ({@code UTC}, {@code +02:00}). */
    static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + text + "'"
                    + Suggestion.didYouMean(text, ZoneId.getAvailableZoneIds())
                    + "; use a region such as Europe/Berlin or America/New_York, or UTC", e);
        }
    }

    /**
     * Where alerts are POSTed: absolute http or https with a host, and no user info (a token goes in
     * {@code authorization}). A query is allowed, since some receivers take their token there; messages never repeat
     * the URL for the same reason.
     */
    static URI webhookUrl(String text) {
        return HttpUrlSyntax.parse(text, "https://hooks.example.com/tollgate", "the credential in authorization");
    }
}
