package dev.tollgate.core.model;

/** Who caused a failure: the dimension errors are counted and alerted by. */
public enum Fault {
    /** The client sent something wrong, or went away. */
    CALLER,
    /** A gateway policy said no (limits, budgets, guardrails). */
    POLICY,
    /** The upstream provider failed, was slow or refused. */
    PROVIDER,
    /** Tollgate itself failed. */
    GATEWAY
}
