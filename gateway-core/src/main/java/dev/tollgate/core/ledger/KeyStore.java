package dev.tollgate.core.ledger;

import dev.tollgate.core.access.VirtualKey;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Keys made through the admin API, kept in the ledger's database (never in the YAML file). Replicas sharing the
 * database see each other's keys when they next {@link #all() read} them. Every method runs on the store's own
 * threads; none blocks its caller.
 */
public interface KeyStore {

    /** Adds a key; fails with {@link IllegalArgumentException} when its name or hash is taken. */
    CompletionStage<Void> create(VirtualKey key);

    /**
     * Sets a key's disabled flag (revocation); completes with false when no runtime key has that name. Keys are
     * revoked, never deleted: a revoked key still counts as a key, so no change to the key set can turn a closed
     * gateway into an open one.
     */
    CompletionStage<Boolean> setDisabled(String name, boolean disabled);

    CompletionStage<List<VirtualKey>> all();
}
