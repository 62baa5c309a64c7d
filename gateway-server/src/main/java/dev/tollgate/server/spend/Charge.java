package dev.tollgate.server.spend;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;

/**
 * What a finished request costs.
 *
 * @param estimated true when the tokens were estimated, the model has no price, or the reservation was charged
 */
public record Charge(Money cost, boolean estimated) {
    public static final Charge NOTHING = new Charge(Money.ZERO, false);

    public Charge {
        requireNonNull(cost, "cost");
    }
}
