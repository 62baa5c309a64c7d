package dev.tollgate.core.guard;

/**
 * The check a guardrail runs: pure, compiled at config load, thread-safe and linear in the text it reads (no
 * network, no pattern that can backtrack without bound).
 */
public sealed interface GuardCheck permits PiiCheck, InjectionCheck, DenyCheck, TopicCheck {

    /** The config's name for the kind: {@code pii}, {@code injection}, {@code deny}, {@code topics}. */
    String kind();

    /** What the check finds in {@code text}. */
    Finding scan(String text);

    /** Whether findings have spans, so that {@link GuardAction#REDACT} can replace them. */
    boolean locates();
}
