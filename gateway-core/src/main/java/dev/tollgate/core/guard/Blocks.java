package dev.tollgate.core.guard;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;

/**
 * The errors a block answers with: {@link ErrorKind#GUARDRAIL_BLOCKED}, code {@value #CODE}, the guardrail's name
 * as the error's {@code param} and in its message (Anthropic's error shape has no other place for it).
 */
public final class Blocks {
    public static final String CODE = "content_blocked";

    private Blocks() {}

    /** A request a guardrail refused. */
    public static GatewayError request(String guardrail) {
        return new GatewayError(ErrorKind.GUARDRAIL_BLOCKED, 400, "The request was blocked by guardrail '"
                + guardrail + "'.", guardrail, CODE, null);
    }

    /** An answer a guardrail refused: the model answered, the gateway does not pass the answer on. */
    public static GatewayError answer(String guardrail) {
        return new GatewayError(ErrorKind.GUARDRAIL_BLOCKED, 400, "The model's answer was blocked by guardrail '"
                + guardrail + "'.", guardrail, CODE, null);
    }
}
