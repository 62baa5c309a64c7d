package dev.tollgate.server.access;

import dev.tollgate.core.access.Team;
import dev.tollgate.core.access.VirtualKey;

/**
 * Who a request is from, once its key has been checked.
 *
 * @param key null on an open gateway (no keys configured)
 * @param team the key's team, or null
 * @param user the end user named by the {@code x-tollgate-user} header, or null (the body may still name one)
 */
public record Caller(VirtualKey key, Team team, String user) {
    /** A request on an open gateway that names no end user. */
    public static final Caller ANONYMOUS = new Caller(null, null, null);

    /** End-user ids longer than this are cut: they become counter scopes and ledger values. */
    public static final int MAX_USER_CHARS = 128;

    /** The same caller with the end user the body named, when the header named none. */
    public Caller withBodyUser(String bodyUser) {
        if (user != null || bodyUser == null || bodyUser.isEmpty()) {
            return this;
        }
        return new Caller(key, team, clip(bodyUser));
    }

    public String keyName() {
        return key == null ? null : key.name();
    }

    /** Whether this is the gateway's own evaluation traffic ({@link InternalKey}): never sampled, screened or mirrored. */
    public boolean internal() {
        return key != null && key.source() == VirtualKey.Source.INTERNAL;
    }

    public String teamName() {
        return team == null ? null : team.name();
    }

    static String clip(String user) {
        return user.length() <= MAX_USER_CHARS ? user : user.substring(0, MAX_USER_CHARS);
    }
}
