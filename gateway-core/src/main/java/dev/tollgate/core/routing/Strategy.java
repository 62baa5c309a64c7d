package dev.tollgate.core.routing;

/** How a model group chooses among its available deployments of the same priority. */
public enum Strategy {
    /** At random, in proportion to the weights (the default). */
    WEIGHTED,
    /** In turn, each deployment as often as its weight says. */
    ROUND_ROBIN,
    /** The lowest recent latency (an exponentially weighted mean); a small share of traffic probes the others. */
    LOWEST_LATENCY,
    /** The fewest requests in flight through this gateway, or the lowest load the server itself reports. */
    LEAST_BUSY,
    /** The lowest price per token from the price table; deployments without a price go last. */
    LOWEST_COST
}
