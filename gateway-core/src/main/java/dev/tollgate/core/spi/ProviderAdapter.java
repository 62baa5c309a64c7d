package dev.tollgate.core.spi;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.routing.Deployment;

/**
 * Translates between the canonical model and one upstream API. Stateless and thread-safe; never sees a socket,
 * never blocks. Called on event-loop threads.
 */
public interface ProviderAdapter {

    /** The provider {@code type} this adapter serves in config ({@code openai}, {@code anthropic}, ...). */
    String type();

    /** The upstream HTTP call for a canonical chat request, aimed at {@code target}. */
    UpstreamCall prepare(ChatRequest request, Deployment target);

    /**
     * The cap on output tokens {@link #prepare} sends for a request that sets none, for an API that requires one
     * (Anthropic's {@code max_tokens}); 0 when it then sends none. The gateway lowers it for a model that answers
     * with fewer.
     */
    default int defaultMaxTokens() {
        return 0;
    }

    /** A 2xx non-streamed reply as a canonical response. Throws {@link dev.tollgate.core.model.GatewayException} on garbage. */
    ChatResponse parse(UpstreamReply reply);

    /** A fresh decoder for one streamed reply. */
    StreamDecoder streamDecoder();

    /** A non-2xx reply as a canonical error: who is at fault, whether a retry can help, the provider's message. */
    GatewayError classify(UpstreamReply errorReply);
}
