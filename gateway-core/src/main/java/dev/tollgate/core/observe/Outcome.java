package dev.tollgate.core.observe;

import dev.tollgate.core.model.ErrorKind;

/** How an exchange ended, as counted on dashboards. */
public enum Outcome {
    SUCCESS, CALLER_ERROR, POLICY_DENIED, PROVIDER_ERROR, GATEWAY_ERROR, CLIENT_CANCELLED;

    /** Made once: every finished request writes its outcome to the access log and the ledger. */
    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    public static Outcome of(ErrorKind kind) {
        if (kind == ErrorKind.CLIENT_CANCELLED) {
            return CLIENT_CANCELLED;
        }
        return switch (kind.fault()) {
            case CALLER -> CALLER_ERROR;
            case POLICY -> POLICY_DENIED;
            case PROVIDER -> PROVIDER_ERROR;
            case GATEWAY -> GATEWAY_ERROR;
        };
    }

    public String label() {
        return label;
    }
}
