package dev.tollgate.server.exchange;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.TokenEstimate;
import dev.tollgate.core.routing.RequestFeatures;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.TokenCounting;
import dev.tollgate.server.access.Caller;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;

/**
 * The features routing rules read, from one request. The body is decoded only when a rule asks about its content
 * (most requests name a model group and never pay for it), then once. A body that does not decode throws the
 * dialect's {@code GatewayException}, a 400 like any other malformed request. Embeddings requests have no chat
 * content: their content features are all empty. Event-loop thread only, but for the spell a measuring worker holds
 * them to decode a large request (see {@code ChatExchange}'s {@code measuring}), when the loop leaves them alone.
 */
final class ChatFeatures implements RequestFeatures {
    private final ClientDialect dialect;
    private final Operation operation;
    private final byte[] body;
    private final Caller caller;
    private final HttpHeaders headers;
    private ChatRequest decoded;
    private boolean decodedOnce;
    /** The features rules ask for, each computed on first use: several rules may ask for the same one. */
    private long promptTokens = -1;
    private String lastUserText;
    private Boolean hasImages;

    ChatFeatures(ClientDialect dialect, Operation operation, byte[] body, Caller caller, HttpHeaders headers) {
        this.dialect = dialect;
        this.operation = operation;
        this.body = body;
        this.caller = caller;
        this.headers = headers;
    }

    /** The decoded chat request, or null for a request without chat content. */
    ChatRequest request() {
        if (!decodedOnce) {
            decodedOnce = true;
            decoded = switch (operation) {
                case CHAT -> dialect.decodeChat(body);
                case COUNT_TOKENS -> dialect instanceof TokenCounting counting ? counting.decodeCountTokens(body) : null;
                case EMBEDDINGS -> null;
            };
        }
        return decoded;
    }

    /**
     * Replaces the decoded request with the one the input guardrails redacted: the cache key, every attempt and
     * the review sample read that one from now on.
     */
    void guarded(ChatRequest redacted) {
        decoded = redacted;
        decodedOnce = true;
        promptTokens = -1;
        lastUserText = null;
        hasImages = null;
    }

    @Override
    public long promptTokens() {
        if (promptTokens < 0) {
            ChatRequest r = request();
            promptTokens = r == null ? 0 : TokenEstimate.input(r);
        }
        return promptTokens;
    }

    @Override
    public boolean hasTools() {
        ChatRequest r = request();
        return r != null && !r.tools().isEmpty();
    }

    @Override
    public boolean hasImages() {
        if (hasImages == null) {
            hasImages = anyImage(request());
        }
        return hasImages;
    }

    private static boolean anyImage(ChatRequest r) {
        if (r == null) {
            return false;
        }
        for (Message m : r.messages()) {
            for (Part p : m.parts()) {
                if (p instanceof Part.Image) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public boolean jsonMode() {
        ChatRequest r = request();
        return r != null && (r.responseFormat() instanceof ResponseFormat.JsonObject
                || r.responseFormat() instanceof ResponseFormat.JsonSchema);
    }

    @Override
    public String lastUserText() {
        if (lastUserText == null) {
            ChatRequest r = request();
            lastUserText = r == null ? "" : r.lastUserText();
        }
        return lastUserText;
    }

    @Override
    public String key() {
        return caller.keyName();
    }

    @Override
    public String team() {
        return caller.teamName();
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public Map<String, String> metadata() {
        return caller.key() == null ? Map.of() : caller.key().metadata();
    }
}
