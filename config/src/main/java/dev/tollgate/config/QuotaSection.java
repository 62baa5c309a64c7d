package dev.tollgate.config;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.Period;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds the two mappings every scope shares: {@code limits} (a key's, a team's, an end user's, a deployment's) and
 * {@code budget} (the same, and the global one). A dimension left out is not limited; one written must be a
 * positive whole number, since a zero limit would refuse everything and is almost always a slip.
 */
final class QuotaSection {
    static final Set<String> LIMIT_KEYS = Set.of("rpm", "tpm", "concurrent");
    static final Set<String> BUDGET_KEYS = Set.of("usd", "period", "alerts");
    /** Periods by the name the file uses, in documentation order. */
    static final Map<String, Period> PERIODS;
    /**
     * The largest requests or tokens per minute: far above any real quota, and small enough that shared counters
     * stay exact in Redis, whose Lua numbers are doubles (exact to 2^53).
     */
    static final long MAX_PER_MINUTE = 1_000_000_000_000L;
    static final int MAX_CONCURRENT = 1_000_000;

    static {
        var periods = new LinkedHashMap<String, Period>();
        for (Period period : Period.values()) {
            periods.put(period.label(), period);
        }
        PERIODS = Collections.unmodifiableMap(periods);
    }

    private QuotaSection() {}

    /** The limits under {@code limits}; {@link Limits#NONE} when absent or empty. */
    static Limits limits(MappingReader limits) {
        return new Limits(
                limits.wholeNumber("rpm", 0, 1, MAX_PER_MINUTE),
                limits.wholeNumber("tpm", 0, 1, MAX_PER_MINUTE),
                limits.integer("concurrent", 0, 1, MAX_CONCURRENT));
    }

    /** The budget under {@code key} of {@code parent}: null when absent, or when unusable (reported). */
    static Budget budget(MappingReader parent, String key, Diagnostics problems) {
        if (!parent.has(key)) {
            return null;
        }
        MappingReader b = parent.child(key, BUDGET_KEYS);
        b.requirePresent("usd");
        Money usd = b.usd("usd", false);
        Period period = period(b, problems);
        List<Double> alerts = alerts(b, problems);
        return usd == null || period == null || alerts == null ? null : new Budget(usd, period, alerts);
    }

    private static Period period(MappingReader b, Diagnostics problems) {
        String name = b.requiredString("period");
        if (name == null) {
            return null;
        }
        Period period = PERIODS.get(name);
        if (period == null) {
            problems.error(b.origin("period"), "unknown period '" + name + "'"
                    + Suggestion.didYouMean(name, PERIODS.keySet())
                    + "; expected " + String.join(", ", PERIODS.keySet()));
        }
        return period;
    }

    /** The alert fractions, ascending in (0, 1]; none when absent, null when any is unusable (reported). */
    private static List<Double> alerts(MappingReader b, Diagnostics problems) {
        List<YamlNode> items = b.items("alerts", "an empty list fires no alert; remove the key instead");
        if (items == null) {
            return List.of();
        }
        var alerts = new ArrayList<Double>();
        boolean usable = !items.isEmpty();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = Origin.itemPath(b.path("alerts"), i);
            Double fraction = fraction(items.get(i), itemPath, problems);
            if (fraction == null) {
                usable = false;
                continue;
            }
            if (!alerts.isEmpty() && fraction <= alerts.getLast()) {
                problems.error(items.get(i).origin(itemPath), "alerts must ascend, each above the one before it");
                usable = false;
            }
            alerts.add(fraction);
        }
        return usable ? alerts : null;
    }

    private static Double fraction(YamlNode item, String path, Diagnostics problems) {
        YamlNode.Scalar scalar = MappingReader.itemScalar(item, path, "a fraction of the budget", problems);
        if (scalar == null) {
            return null;
        }
        double value;
        try {
            value = scalar.kind() == YamlNode.Kind.STRING ? Double.NaN : Double.parseDouble(scalar.text());
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!(value > 0 && value <= 1)) {
            problems.error(item.origin(path), "an alert is a fraction of the budget above 0 and at most 1 "
                    + "(0.8 fires at 80%), got " + scalar.quoted());
            return null;
        }
        return value;
    }
}
