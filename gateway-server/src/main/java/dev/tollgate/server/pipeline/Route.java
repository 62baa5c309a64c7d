package dev.tollgate.server.pipeline;

import dev.tollgate.core.spi.Operation;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The proxy's routes, each in its client dialect, under {@code /v1} or at the root. Every route reaches every
 * model: an OpenAI client can be served by Claude and an Anthropic client by GPT, through the same router.
 */
public enum Route {
    CHAT("/chat/completions", HttpMethod.POST, Operation.CHAT, "chat", Route.OPENAI),
    EMBEDDINGS("/embeddings", HttpMethod.POST, Operation.EMBEDDINGS, "embeddings", Route.OPENAI),
    /** Both APIs list models here; the dialect is the caller's (see {@link #dialectOf}). */
    MODELS("/models", HttpMethod.GET, null, "models", null),
    MESSAGES("/messages", HttpMethod.POST, Operation.CHAT, "messages", Route.ANTHROPIC),
    COUNT_TOKENS("/messages/count_tokens", HttpMethod.POST, Operation.COUNT_TOKENS, "count_tokens", Route.ANTHROPIC),
    /** Feedback on an answer this key received (see {@code FeedbackDesk}); answered in the OpenAI dialect. */
    FEEDBACK("/feedback", HttpMethod.POST, null, "feedback", Route.OPENAI);

    /** Dialect ids, as {@code ClientDialect.id()} gives them. */
    public static final String OPENAI = "openai";
    public static final String ANTHROPIC = "anthropic";

    private final String path;
    private final HttpMethod method;
    private final Operation operation;
    private final String label;
    private final String dialect;

    Route(String path, HttpMethod method, Operation operation, String label, String dialect) {
        this.path = path;
        this.method = method;
        this.operation = operation;
        this.label = label;
        this.dialect = dialect;
    }

    /**
     * The dialect a request is answered in, errors included: the route's own, else the Anthropic one for callers
     * that send Anthropic's version header or use its paths (the Anthropic SDKs always send the header), else
     * OpenAI's.
     */
    public static String dialectOf(Route route, HttpRequest request) {
        if (route != null && route.dialect != null) {
            return route.dialect;
        }
        if (request.headers().contains("anthropic-version") || normalise(request.uri()).contains("/messages")) {
            return ANTHROPIC;
        }
        return OPENAI;
    }

    public HttpMethod method() {
        return method;
    }

    /** What a model must serve for this route; null for routes that call no model. */
    public Operation operation() {
        return operation;
    }

    /** The label for logs and metrics. */
    public String label() {
        return label;
    }

    /**
     * The route a request path names, or null. The path is normalised once here and the result is what both
     * dispatch and every later check use: query dropped, repeated slashes merged, a trailing slash ignored, and
     * the {@code /v1} prefix optional (SDKs configured with or without it reach the same route).
     */
    public static Route of(String uri) {
        String path = normalise(uri);
        if (path.startsWith("/v1/")) {
            path = path.substring(3);
        }
        for (Route r : values()) {
            if (r.path.equals(path)) {
                return r;
            }
        }
        return null;
    }

    static String normalise(String uri) {
        int q = uri.indexOf('?');
        String path = q >= 0 ? uri.substring(0, q) : uri;
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        var out = new StringBuilder(path.length());
        char prev = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/' && prev == '/') {
                continue;
            }
            out.append(c);
            prev = c;
        }
        if (out.length() > 1 && out.charAt(out.length() - 1) == '/') {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }
}
