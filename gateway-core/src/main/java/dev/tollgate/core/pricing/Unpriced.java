package dev.tollgate.core.pricing;

/** What happens to a request for a deployment with no price: it is never silently free. */
public enum Unpriced {
    /** Refused before it is sent (a 400 naming the model), so nothing unpriced ever runs. */
    REJECT,
    /** Sent, and charged its reservation (the worst-case cost at a configured fallback price). */
    CHARGE_RESERVATION
}
