package dev.tollgate.server.exchange;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.TokenEstimate;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.TokenCounter;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.EmbeddingsDialect;
import dev.tollgate.core.spi.EmbeddingsSupport;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.Passthrough;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.server.spend.RequestSize;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one request sends upstream and how the reply comes back, decided once the deployment is known:
 * the client's own bytes when the upstream speaks the client's dialect ({@link SameDialect}), or a translation
 * through the canonical model ({@link TranslatedChat}, {@link TranslatedEmbeddings}). Pure apart from buffers.
 */
sealed interface ExchangePlan {
    String JSON = "application/json";

    /** Where the request goes, with its headers. */
    UpstreamCall call();

    /** The body to send upstream (a fresh buffer each time: a retry sends it again). */
    ByteBuf body(ByteBufAllocator alloc);

    /** How a streamed 2xx reply is relayed; null for a plan that never streams (embeddings). */
    Rendering rendering();

    /** What the client gets for a complete (non-streamed or failed) reply. */
    Answer answer(UpstreamReply reply);

    /** The client's cap on output tokens as lowered to the model's, or null when it was not lowered. */
    Clamp clamp();

    /** Usage to record when the provider reported none, from what was relayed. Marked as estimated. */
    Usage estimate(long outputChars);

    /**
     * How big the request can get, for limits and budgets; called only when one applies, on the exchange's loop or,
     * for a large request, on a {@link MeasuringPool} worker. A same-dialect plan decodes the body for it (throwing
     * {@link GatewayException} for one that does not decode).
     */
    RequestSize size(TokenCounter counter);

    /**
     * A chat request's cap on output tokens ({@code max_tokens} and its kin) lowered to the most the model can
     * answer: a provider refuses a larger one, and the gateway reserves budget on the cap it sends (reliability B9).
     */
    record Clamp(int asked, int clamped) {
        /** The response header that tells the client, e.g. {@code x-tollgate-max-tokens-clamped: 1000000->16384}. */
        static final String HEADER = "x-tollgate-max-tokens-clamped";

        /** The clamp of a request asking {@code asked} (0: no cap) of a model answering at most {@code modelMax}. */
        static Clamp of(int asked, long modelMax) {
            return modelMax > 0 && asked > modelMax ? new Clamp(asked, (int) modelMax) : null;
        }

        /** Sets or clears the header for the attempt of {@code plan}: a retry elsewhere may lower it differently. */
        static void announce(ExchangePlan plan, HttpHeaders headers) {
            Clamp clamp = plan.clamp();
            if (clamp == null) {
                headers.remove(HEADER);
            } else {
                headers.set(HEADER, clamp.asked() + "->" + clamp.clamped());
            }
        }
    }

    /** The reply to a complete upstream answer. */
    sealed interface Answer {
        /**
         * Bytes to send as they are: a success, or (same dialect) the provider's own error, relayed faithfully
         * when no other attempt is made.
         *
         * @param error null for a success, else the provider's error as classified
         * @param chat the answer in canonical form when the plan decoded it (a translated chat); null otherwise
         */
        record Body(int status, String contentType, byte[] bytes, Usage usage, GatewayError error, ChatResponse chat)
                implements Answer {}

        /** An error to render in the client's dialect. */
        record Failed(GatewayError error) implements Answer {}
    }

    /**
     * The plan for a deployment. Throws {@link GatewayException} for a request the client dialect cannot decode or
     * the provider cannot honour (a 400 naming the field), before anything is sent.
     *
     * @param chat the chat body decoded, decoding it on first use: one decode serves the routing rules and every
     *     attempt of the exchange
     * @param guarded whether guardrails rewrite the request or read the answer: a chat then goes the translated
     *     way even to a same-dialect deployment, so the provider gets the redacted request and the answer is
     *     decoded into events a guardrail can read and rewrite
     * @param modelMaxTokens the most output tokens the deployment's model answers with (0: unknown); a chat asking
     *     for more is sent asking for that much
     */
    static ExchangePlan of(Operation operation, ClientDialect dialect, byte[] body, Supplier<ChatRequest> chat,
                           List<Header> clientHeaders, RequestEnvelope envelope, Deployment deployment,
                           ProviderAdapter adapter, String requestId, boolean guarded, long modelMaxTokens) {
        if (adapter instanceof Passthrough same && same.dialect().equals(dialect.id())
                && !(guarded && operation == Operation.CHAT)) {
            boolean stream = operation == Operation.CHAT && envelope.stream();
            UpstreamCall call = same.forward(operation, deployment);
            if (!clientHeaders.isEmpty()) {
                var headers = new ArrayList<>(call.headers());
                headers.addAll(clientHeaders);
                call = new UpstreamCall(call.method(), call.uri(), headers, null);
            }
            int outputCap = operation == Operation.CHAT ? (int) Math.min(modelMaxTokens, Integer.MAX_VALUE) : 0;
            return new SameDialect(operation, call, body, chat, envelope, deployment, same, adapter, dialect, stream,
                    outputCap);
        }
        return switch (operation) {
            case CHAT -> {
                ChatRequest request = chat.get();
                Integer asked = request.sampling().maxTokens();
                Clamp clamp = asked == null ? null : Clamp.of(asked, modelMaxTokens);
                // A request with no cap gets the adapter's default where the API requires one: lowered alike,
                // but nothing the client asked was changed, so nothing is announced.
                Clamp lowered = clamp != null ? clamp
                        : asked == null ? Clamp.of(adapter.defaultMaxTokens(), modelMaxTokens) : null;
                if (lowered != null) {
                    request = request.withSampling(request.sampling().withMaxTokens(lowered.clamped()));
                }
                yield new TranslatedChat(adapter.prepare(request, deployment), request, deployment, dialect, adapter,
                        requestId, clamp);
            }
            case EMBEDDINGS -> {
                if (!(adapter instanceof EmbeddingsSupport embeddings) || !(dialect instanceof EmbeddingsDialect in)) {
                    throw new GatewayException(GatewayError.invalid("model", "model_not_supported",
                            "Provider '" + deployment.provider().id() + "' does not serve embeddings."));
                }
                EmbeddingRequest request = in.decodeEmbeddings(body);
                yield new TranslatedEmbeddings(embeddings.prepareEmbeddings(request, deployment), request, deployment,
                        in, embeddings, adapter);
            }
            // Token counting is answered by the gateway itself when the provider cannot count natively.
            case COUNT_TOKENS -> throw new IllegalArgumentException("token counting needs a same-dialect provider");
        };
    }

    /**
     * The client's body forwarded with only the model (and a usage request, and a cap above the model's) changed;
     * the reply relayed as is.
     */
    record SameDialect(Operation operation, UpstreamCall call, byte[] clientBody, Supplier<ChatRequest> chat,
                       RequestEnvelope envelope,
                       Deployment deployment, Passthrough passthrough, ProviderAdapter adapter, ClientDialect dialect,
                       boolean stream, int outputCap) implements ExchangePlan {
        /**
         * Every cap in the body above {@code outputCap} (the model's maximum, 0: unknown) is lowered, not only the
         * one this dialect's upstream reads first: a compatible server may read the other one.
         */
        @Override
        public ByteBuf body(ByteBufAllocator alloc) {
            return UpstreamRequests.splicedBody(alloc, clientBody, envelope.rewrite(deployment.upstreamModel(), stream,
                    outputCap));
        }

        @Override
        public Clamp clamp() {
            return Clamp.of(envelope.maxTokens(), outputCap);
        }

        @Override
        public Rendering rendering() {
            return new Rendering.Forward(dialect, envelope.clientWantsUsage());
        }

        @Override
        public Answer answer(UpstreamReply reply) {
            String type = contentType(reply);
            if (reply.status() / 100 != 2) {
                SecretScrub scrub = new SecretScrub(deployment.provider());
                UpstreamReply clean = scrub.reply(reply);
                GatewayError error = upstreamError(adapter, clean, scrub);
                if (reply.status() / 100 == 3) {
                    return new Answer.Failed(error);
                }
                if (error.kind() == ErrorKind.PROVIDER_AUTH) {
                    // The provider refused the gateway's own credentials: not the client's fault, and the
                    // provider's text can quote part of that key. The client gets the gateway's error instead.
                    return new Answer.Failed(error.withStatus(502));
                }
                // The provider's own status and error body reach the client, unchanged but for any credential it
                // quotes: it speaks the same dialect.
                return new Answer.Body(reply.status(), type, clean.body(), Usage.UNKNOWN, error, null);
            }
            return new Answer.Body(200, type, reply.body(), passthrough.usage(reply), null, null);
        }

        @Override
        public Usage estimate(long outputChars) {
            return Usage.estimated(clientBody.length / 4, tokens(outputChars));
        }

        @Override
        public RequestSize size(TokenCounter counter) {
            return switch (operation) {
                case CHAT -> chatSize(counter, chat.get(), deployment);
                case EMBEDDINGS -> embeddingsSize(counter,
                        ((EmbeddingsDialect) dialect).decodeEmbeddings(clientBody), deployment);
                case COUNT_TOKENS -> RequestSize.NOTHING; // counting is free; only request limits apply
            };
        }
    }

    /** A chat request in the provider's API, its reply encoded back into the client's dialect. */
    record TranslatedChat(UpstreamCall call, ChatRequest request, Deployment deployment, ClientDialect dialect,
                          ProviderAdapter adapter, String requestId, Clamp clamp) implements ExchangePlan {
        @Override
        public ByteBuf body(ByteBufAllocator alloc) {
            return Unpooled.wrappedBuffer(call.body());
        }

        @Override
        public Rendering rendering() {
            return new Rendering.Encode(dialect.streamEncoder(request, requestId), deployment.upstreamModel());
        }

        @Override
        public Answer answer(UpstreamReply reply) {
            if (reply.status() / 100 != 2) {
                return new Answer.Failed(upstreamError(adapter, reply, deployment.provider()));
            }
            ChatResponse response = adapter.parse(reply);
            if (response.model().isEmpty()) { // some APIs (Bedrock's Converse) do not name the model that answered
                response = new ChatResponse(response.id(), deployment.upstreamModel(), response.created(),
                        response.output(), response.finishReason(), response.usage());
            }
            return new Answer.Body(200, JSON, dialect.encodeChat(response), response.usage(), null, response);
        }

        @Override
        public Usage estimate(long outputChars) {
            return Usage.estimated(TokenEstimate.input(request), tokens(outputChars));
        }

        @Override
        public RequestSize size(TokenCounter counter) {
            return chatSize(counter, request, deployment);
        }
    }

    /** An embeddings request in the provider's API, the vectors encoded back into the client's dialect. */
    record TranslatedEmbeddings(UpstreamCall call, EmbeddingRequest request, Deployment deployment,
                                EmbeddingsDialect in, EmbeddingsSupport embeddings, ProviderAdapter adapter)
            implements ExchangePlan {
        @Override
        public ByteBuf body(ByteBufAllocator alloc) {
            return Unpooled.wrappedBuffer(call.body());
        }

        @Override
        public Rendering rendering() {
            return null;
        }

        @Override
        public Clamp clamp() {
            return null;
        }

        @Override
        public Answer answer(UpstreamReply reply) {
            if (reply.status() / 100 != 2) {
                return new Answer.Failed(upstreamError(adapter, reply, deployment.provider()));
            }
            EmbeddingResponse response = embeddings.parseEmbeddings(reply);
            if (response.usage() == Usage.UNKNOWN || response.model().isEmpty()) {
                // Some providers (Gemini) report no usage and no model for embeddings: the client's API requires
                // both; the estimate beats a zero (the gateway's own records mark it as estimated).
                response = new EmbeddingResponse(
                        response.model().isEmpty() ? deployment.upstreamModel() : response.model(),
                        response.vectors(),
                        response.usage() == Usage.UNKNOWN ? estimate(0) : response.usage());
            }
            return new Answer.Body(200, JSON, in.encodeEmbeddings(response, request.encodingFormat()),
                    response.usage(), null, null);
        }

        @Override
        public Usage estimate(long outputChars) {
            long input = 0;
            for (String text : request.inputs()) {
                input += TokenEstimate.text(text);
            }
            return Usage.estimated(input, 0);
        }

        @Override
        public RequestSize size(TokenCounter counter) {
            return embeddingsSize(counter, request, deployment);
        }
    }

    /** {@link #upstreamError(ProviderAdapter, UpstreamReply, SecretScrub)} of a reply from {@code provider}. */
    private static GatewayError upstreamError(ProviderAdapter adapter, UpstreamReply reply, Provider provider) {
        SecretScrub scrub = new SecretScrub(provider);
        return upstreamError(adapter, scrub.reply(reply), scrub);
    }

    /**
     * A failed reply as the provider's error, classified, with any credential its text quotes removed. The reply
     * is classified {@code clean} (scrubbed by {@code scrub}): a classifier cuts a long message or body to an
     * excerpt, and a key cut in two no longer looks like a key, so scrubbing only its message would let the
     * front of a key through. The message is scrubbed again for what the classifier adds. A redirect
     * is never followed (upstream URLs come from config only, and a 3xx could point the gateway's key at another
     * host); without its {@code Location} a relayed 3xx would mean nothing to the client, so it is the gateway's 502.
     */
    private static GatewayError upstreamError(ProviderAdapter adapter, UpstreamReply clean, SecretScrub scrub) {
        return clean.status() / 100 == 3 ? redirected(clean.status()) : scrub.error(adapter.classify(clean));
    }

    private static GatewayError redirected(int status) {
        return GatewayError.of(ErrorKind.PROVIDER_ERROR, "The upstream provider answered with a redirect (HTTP "
                + status + "), which the gateway does not follow.");
    }

    private static RequestSize chatSize(TokenCounter counter, ChatRequest request, Deployment d) {
        Integer max = request.sampling().maxTokens();
        Integer n = request.sampling().n();
        return new RequestSize(counter.inputTokens(request, d.provider().type(), d.upstreamModel()),
                max == null ? -1 : max, n == null || n < 1 ? 1 : n);
    }

    private static RequestSize embeddingsSize(TokenCounter counter, EmbeddingRequest request, Deployment d) {
        return new RequestSize(counter.inputTokens(request, d.provider().type(), d.upstreamModel()), 0, 1);
    }

    private static String contentType(UpstreamReply reply) {
        String type = reply.header("content-type");
        return type == null ? JSON : type;
    }

    private static long tokens(long chars) {
        return (chars + 3) / 4;
    }
}
