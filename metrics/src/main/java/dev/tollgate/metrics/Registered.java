package dev.tollgate.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** Finds the meter of a label combination on the request path, registering it the first time. */
final class Registered {
    private Registered() {}

    /**
     * A plain read first: {@link ConcurrentHashMap#computeIfAbsent} locks the key's bin whenever the key is not the
     * bin's first entry, even when it is present, and event loops recording the same meters would queue on it.
     */
    static <K, V> V meter(ConcurrentHashMap<K, V> meters, K labels, Function<? super K, ? extends V> register) {
        V meter = meters.get(labels);
        return meter != null ? meter : meters.computeIfAbsent(labels, register);
    }
}
