package dev.tollgate.core.pricing;

/**
 * Where a model is served, as far as its name tells: the same model can cost differently on Bedrock or Vertex than
 * at its vendor. Each host names the host whose prices apply when it has none of its own.
 */
enum Host {
    ANY("any", null),
    VERTEX("vertex", ANY),
    /** Bedrock in one region or a geographic profile ({@code us.}, {@code eu.}, ...). */
    BEDROCK("bedrock", null),
    /** Bedrock's {@code global.} profiles, cheaper than regional ones for some models. */
    BEDROCK_GLOBAL("bedrock-global", BEDROCK);

    private final String column;
    private final Host fallback;

    Host(String column, Host fallback) {
        this.column = column;
        this.fallback = fallback;
    }

    /** The host whose prices apply when this one lists none for a model, or null. */
    Host fallback() {
        return fallback;
    }

    /** The host a price table's {@code host} column names; IllegalArgumentException when none. */
    static Host ofColumn(String column) {
        for (Host host : values()) {
            if (host.column.equals(column)) {
                return host;
            }
        }
        throw new IllegalArgumentException("unknown host '" + column + "'");
    }
}
