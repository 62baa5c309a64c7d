package dev.tollgate.core.access;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.pricing.Unpriced;
import dev.tollgate.core.quota.Budget;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may call and what it may spend, as compiled from one config: the teams, the keys defined in the file (keys
 * made through the admin API are added at run time from the ledger), and the global budget.
 *
 * @param keys the config's keys, names and hashes unique
 * @param globalBudget a budget for all traffic together, or null
 * @param zone the time zone of calendar budget periods
 * @param unpriced what a request under a budget does when its deployment has no price (requests under no budget
 *     are served and recorded with an estimated zero cost, and the deployment is named in a startup warning)
 * @param unpricedPrice the price {@link Unpriced#CHARGE_RESERVATION} reserves and charges at; null with
 *     {@link Unpriced#REJECT}
 * @param alerts where budget alerts go besides the log and metrics, or null
 * @param adminKeys the keys that open the admin API, each with its role; none leaves the API's routes closed
 */
public record AccessPolicy(
        Map<String, Team> teams,
        List<VirtualKey> keys,
        Budget globalBudget,
        ZoneId zone,
        Unpriced unpriced,
        Price unpricedPrice,
        AlertWebhook alerts,
        List<AdminKey> adminKeys) {

    /** No keys, no teams, no budget: the gateway runs open. */
    public static final AccessPolicy OPEN = new AccessPolicy(Map.of(), List.of(), null, ZoneId.of("UTC"),
            Unpriced.REJECT, null, null, List.of());

    /** The scope of the global budget's counters. */
    public static final String GLOBAL_SCOPE = "global";

    public AccessPolicy {
        teams = Collections.unmodifiableMap(new LinkedHashMap<>(teams));
        keys = List.copyOf(keys);
        adminKeys = List.copyOf(adminKeys);
        requireNonNull(zone, "zone");
        requireNonNull(unpriced, "unpriced");
        if ((unpriced == Unpriced.CHARGE_RESERVATION) != (unpricedPrice != null)) {
            throw new IllegalArgumentException("charge_reservation needs a price to charge at, and only it");
        }
    }

    /** This policy with budget periods in {@code other}'s time zone (the zone counters were opened with). */
    public AccessPolicy withZoneOf(AccessPolicy other) {
        return new AccessPolicy(teams, keys, globalBudget, other.zone, unpriced, unpricedPrice, alerts, adminKeys);
    }

    public Team team(String name) {
        return name == null ? null : teams.get(name);
    }
}
