package dev.tollgate.server.pipeline;

import dev.tollgate.core.spi.Operation;
import io.netty.handler.codec.http.HttpMethod;

/** The proxy's routes. Each is served in the OpenAI dialect, under {@code /v1} or at the root. */
public enum Route {
    CHAT("/chat/completions", HttpMethod.POST, Operation.CHAT, "chat"),
    EMBEDDINGS("/embeddings", HttpMethod.POST, Operation.EMBEDDINGS, "embeddings"),
    MODELS("/models", HttpMethod.GET, null, "models");

    private final String path;
    private final HttpMethod method;
    private final Operation operation;
    private final String label;

    Route(String path, HttpMethod method, Operation operation, String label) {
        this.path = path;
        this.method = method;
        this.operation = operation;
        this.label = label;
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
