package dev.tollgate.server.eval;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.providers.openai.ChatRequestWriter;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.server.access.InternalKey;
import dev.tollgate.server.pipeline.RequestId;
import dev.tollgate.server.spend.SpendHeaders;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Calls the gateway's own proxy port over loopback HTTP/1.1 with the {@link InternalKey}, so evaluation calls go
 * through routing, fallbacks, limits, the evaluation team's budget, metrics, the access log and the ledger like
 * any other traffic. Blocking: called on the evaluation workers only, never on an event loop. Thread-safe.
 */
public final class LoopbackClient implements AutoCloseable {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Longer than any sane judge or re-ask; a provider that hangs costs one worker this long at most. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);

    /** A chat answer: its text, why it ended ({@code stop}, {@code length}, {@code content_filter}...) and its cost. */
    public record Reply(String text, String finishReason, Money cost) {}

    /** Embeddings, one per input in order, and their cost. */
    public record Vectors(List<float[]> vectors, Money cost) {}

    /** A call that did not answer 2xx, or not at all. */
    public static final class CallFailed extends Exception {
        private final String detail;

        CallFailed(String detail) {
            super(detail, null, false, false);
            this.detail = detail;
        }

        /** {@code status <code> <error code>}, or what went wrong before a status came. */
        public String detail() {
            return detail;
        }
    }

    private final URI base;
    private final String authorization;
    private final Duration callTimeout;
    private final ExecutorService executor;
    private final HttpClient http;

    /**
     * @param host where the proxy listens: a loopback address when it listens on every interface
     * @param port the proxy's bound port
     */
    public LoopbackClient(String host, int port, InternalKey key, Duration callTimeout) {
        this.base = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
        this.authorization = requireNonNull(key, "key").authorization();
        this.callTimeout = requireNonNull(callTimeout, "callTimeout");
        this.executor = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("tollgate-eval-http-", 0)
                .factory());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .executor(executor).build();
    }

    /** Where to reach a proxy that listens on {@code host}: itself, unless it is the wildcard address. */
    public static String loopbackHost(String host) {
        return host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")
                ? "127.0.0.1" : host;
    }

    /**
     * Asks model group {@code model} {@code request} (not streamed) as an OpenAI chat completion.
     *
     * @param callId the call's own request id ({@link #callId})
     * @param noCache whether the answer must be a new one, never the response cache's; it is not stored either,
     *     so a re-ask never replaces the answer the cache gives clients (with {@code scope: global} they share it)
     */
    public Reply chat(String model, ChatRequest request, String callId, boolean noCache) throws CallFailed {
        ChatRequest once = new ChatRequest(request.model(), request.messages(), request.sampling(), request.tools(),
                request.toolChoice(), request.responseFormat(), false, false, request.user(), request.extensions(),
                request.dialect());
        HttpRequest.Builder call = post("/v1/chat/completions", ChatRequestWriter.write(once, model), callId);
        if (noCache) {
            call.header("cache-control", "no-cache, no-store");
        }
        HttpResponse<byte[]> response = send(call);
        JsonNode choice = read(response).path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        return new Reply(content.isTextual() ? content.asText() : "", choice.path("finish_reason").asText(null),
                cost(response));
    }

    /** Embeds {@code inputs} with model group {@code model}, in one call. */
    public Vectors embeddings(String model, List<String> inputs, String callId) throws CallFailed {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", model);
        ArrayNode input = body.putArray("input");
        inputs.forEach(input::add);
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("a tree of strings always writes", e);
        }
        HttpResponse<byte[]> response = send(post("/v1/embeddings", bytes, callId));
        JsonNode data = read(response).path("data");
        if (data.size() != inputs.size()) {
            throw new CallFailed("embeddings: " + data.size() + " vectors for " + inputs.size() + " inputs");
        }
        List<float[]> vectors = new ArrayList<>(data.size());
        for (JsonNode item : data) {
            JsonNode values = item.path("embedding");
            float[] vector = new float[values.size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (float) values.get(i).asDouble();
            }
            vectors.add(vector);
        }
        return new Vectors(vectors, cost(response));
    }

    /** The id of the {@code n}th call made for request {@code parentRequestId}. */
    public static String callId(String parentRequestId, int n) {
        return RequestId.evaluationOf(parentRequestId, n);
    }

    private HttpRequest.Builder post(String path, byte[] body, String callId) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(callTimeout)
                .header("authorization", authorization)
                .header("content-type", "application/json")
                .header(RequestId.HEADER, callId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder call) throws CallFailed {
        try {
            return http.send(call.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new CallFailed(e instanceof java.net.http.HttpTimeoutException ? "timeout" : "io "
                    + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailed("interrupted");
        }
    }

    /** The body of a 2xx answer; an error answer as {@code status <code> <error code>}. */
    private static JsonNode read(HttpResponse<byte[]> response) throws CallFailed {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            JsonNode code = body == null ? null : body.path("error").path("code");
            throw new CallFailed("status " + status + (code != null && code.isTextual() ? " " + code.asText() : ""));
        }
        if (body == null) {
            throw new CallFailed("status " + status + " unreadable body");
        }
        return body;
    }

    private static Money cost(HttpResponse<byte[]> response) {
        return response.headers().firstValue(SpendHeaders.COST).map(LoopbackClient::usd).orElse(Money.ZERO);
    }

    private static Money usd(String header) {
        try {
            return Money.ofUsd(header);
        } catch (RuntimeException e) {
            return Money.ZERO;
        }
    }

    @Override
    public void close() {
        http.shutdownNow(); // close() would wait for calls in flight, up to their timeout
        executor.shutdownNow();
    }
}
