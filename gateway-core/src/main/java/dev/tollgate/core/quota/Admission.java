package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** The store's answer to a {@link Demand}. */
public sealed interface Admission {

    /** Every scope took the demand; it is reserved until {@link Reservation#settle}. */
    record Granted(Reservation reservation, RateHeaders headers) implements Admission {
        public Granted {
            requireNonNull(reservation, "reservation");
            requireNonNull(headers, "headers");
        }
    }

    /** A scope refused; nothing was reserved anywhere. */
    record Denied(Denial denial, RateHeaders headers) implements Admission {
        public Denied {
            requireNonNull(denial, "denial");
            requireNonNull(headers, "headers");
        }
    }

    /** The store could not answer (a shared store unreachable) and its policy is to fail closed. */
    record Unavailable(String reason, Duration retryAfter) implements Admission {
        public Unavailable {
            requireNonNull(reason, "reason");
            requireNonNull(retryAfter, "retryAfter");
        }
    }
}
