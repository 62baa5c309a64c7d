package dev.tollgate.core.spi;

import dev.tollgate.core.model.Usage;
import dev.tollgate.core.routing.Deployment;

/**
 * The optional capability of an adapter whose upstream speaks a client dialect natively. When the client spoke
 * {@link #dialect()}, the gateway forwards the client's own body (only {@code model} rewritten) to
 * {@link #forward}'s target and relays the reply's bytes, reading usage through the adapter on the side.
 */
public interface Passthrough {

    /** The {@link ClientDialect#id()} this upstream speaks. */
    String dialect();

    /** Method, URI and headers (auth included) for a forwarded body; the returned call has no body. */
    UpstreamCall forward(Operation operation, Deployment target);

    /**
     * The usage a 2xx non-streamed reply (chat or embeddings) reports, read without decoding the rest; throws
     * {@link dev.tollgate.core.model.GatewayException} (provider error) when the body is not a valid reply.
     */
    Usage usage(UpstreamReply reply);
}
