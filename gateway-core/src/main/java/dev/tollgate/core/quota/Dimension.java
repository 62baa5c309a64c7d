package dev.tollgate.core.quota;

/** What a denial ran out of. */
public enum Dimension {
    REQUESTS, TOKENS, CONCURRENT, BUDGET;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
