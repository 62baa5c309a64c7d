package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.quota.PeriodWindow;

/**
 * The Redis keys of a scope, all under one prefix: {@code <prefix>q:<kind>:<scope>}, and for spend
 * {@code <prefix>q:spend:<scope>:<period start in epoch seconds>}. Every key a script touches is computed here
 * and passed as KEYS. Immutable and thread-safe.
 */
final class QuotaKeys {
    /** Keys per scope, in the order the scripts expect (see counters.lua). */
    static final int PER_SCOPE = 5;

    private final String prefix;

    QuotaKeys(String prefix) {
        this.prefix = requireNonNull(prefix, "prefix") + "q:";
    }

    /**
     * Writes the scope's five keys into {@code keys} from {@code at}: minute, leases, lease costs, reserved sum,
     * and the spend of {@code window} (a placeholder the scripts never touch when the scope has no budget).
     */
    void scope(String scope, PeriodWindow window, String[] keys, int at) {
        keys[at] = prefix + "minute:" + scope;
        keys[at + 1] = prefix + "leases:" + scope;
        keys[at + 2] = prefix + "costs:" + scope;
        keys[at + 3] = prefix + "reserved:" + scope;
        keys[at + 4] = window == null ? prefix + "spend:" + scope : spend(scope, window);
    }

    String spend(String scope, PeriodWindow window) {
        return prefix + "spend:" + scope + ":" + window.id();
    }
}
