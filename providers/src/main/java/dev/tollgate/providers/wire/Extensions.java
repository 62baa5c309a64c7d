package dev.tollgate.providers.wire;

import dev.tollgate.core.model.RawJson;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The common part of every provider's rule for a foreign dialect's extensions (the fields the canonical request has
 * no slot for); each provider's own table says what happens to each name. Stateless.
 */
public final class Extensions {

    private Extensions() {}

    /**
     * The extensions a client actually set, in name order. An explicit JSON {@code null} is left out: both client
     * dialects read it as "not set". Name order makes a provider that refuses several names always refuse the same
     * one first.
     */
    public static SortedMap<String, RawJson> inNameOrder(Map<String, RawJson> extensions) {
        var set = new TreeMap<String, RawJson>();
        extensions.forEach((name, value) -> {
            if (!value.json().strip().equals("null")) {
                set.put(name, value);
            }
        });
        return set;
    }
}
