package dev.tollgate.server.eval;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.eval.AnswerText;
import dev.tollgate.core.eval.Transcript;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.providers.openai.ChatRequestWriter;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.server.access.InternalKey;
import dev.tollgate.server.pipeline.RequestId;
import dev.tollgate.server.spend.SpendHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    /**
     * The most of a response body that is read: a judge's verdict or a few embeddings are far smaller, and a
     * misbehaving upstream's huge answer must not fill the gateway's memory (each worker holds one body).
     */
    static final int MAX_BODY = 4 << 20;
    private static final String NOT_VECTORS = "embeddings: not vectors of numbers of one size";

    /** A call that did not answer 2xx, or not at all. */
    public static final class CallFailed extends Exception {
        private final String detail;
        private final int status;
        private final String param;

        CallFailed(String detail) {
            this(detail, 0, null);
        }

        CallFailed(String detail, int status, String param) {
            super(detail, null, false, false);
            this.detail = detail;
            this.status = status;
            this.param = param;
        }

        /** {@code status <code> <error code>}, or what went wrong before a status came. */
        public String detail() {
            return detail;
        }

        /** Whether the gateway refused the request as invalid because of its field {@code field}. */
        public boolean invalid(String field) {
            return status == 400 && field.equals(param);
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
        if (host == null || host.isEmpty()) {
            return "127.0.0.1";
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.indexOf(':') >= 0) {
            // Any spelling of the IPv6 wildcard: its own loopback, which answers also where it is bound v6-only.
            return bare.replace("0", "").replace(":", "").isEmpty() ? "::1" : bare;
        }
        return bare.equals("0.0.0.0") ? "127.0.0.1" : bare;
    }

    /**
     * Asks model group {@code model} {@code request} (not streamed) as an OpenAI chat completion.
     *
     * @param callId the call's own request id ({@link #callId})
     * @param noCache whether the answer must be a new one, never the response cache's; it is not stored either,
     *     so a re-ask never replaces the answer the cache gives clients (with {@code scope: global} they share it)
     */
    public Reply chat(String model, ChatRequest request, String callId, boolean noCache) throws CallFailed {
        // Only the first choice is read: a client's n > 1 would be paid for and thrown away.
        Sampling s = request.sampling();
        ChatRequest once = new ChatRequest(request.model(), request.messages(), new Sampling(s.temperature(),
                s.topP(), s.maxTokens(), s.stop(), s.seed(), s.presencePenalty(), s.frequencyPenalty(), null),
                request.tools(), request.toolChoice(), request.responseFormat(), false, false, request.user(),
                request.extensions(), request.dialect());
        HttpRequest.Builder call = post("/v1/chat/completions", ChatRequestWriter.write(once, model), callId);
        if (noCache) {
            call.header("cache-control", "no-cache, no-store");
        }
        HttpResponse<byte[]> response = send(call);
        JsonNode choice = read(response).path("choices").path(0);
        return new Reply(answer(choice.path("message")), choice.path("finish_reason").asText(null), cost(response));
    }

    /**
     * The message's text and tool calls written out as {@link AnswerText} writes a client's answer, so that a re-ask
     * that calls a tool compares with an original that did.
     */
    private static String answer(JsonNode message) {
        List<Part> output = new ArrayList<>();
        JsonNode content = message.path("content");
        if (content.isTextual()) {
            output.add(new Part.Text(content.textValue()));
        }
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            output.add(new Part.ToolCall(call.path("id").asText(""), function.path("name").asText(""),
                    function.path("arguments").asText("")));
        }
        var text = new StringBuilder();
        Transcript.parts(output, text, Integer.MAX_VALUE);
        return text.toString();
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
        if (!data.isArray() || data.size() != inputs.size()) {
            throw new CallFailed("embeddings: " + data.size() + " vectors for " + inputs.size() + " inputs");
        }
        List<float[]> vectors = new ArrayList<>(data.size());
        for (JsonNode item : data) {
            JsonNode values = item.path("embedding");
            // Vectors of other sizes (a fallback to another embeddings model) or not of numbers cannot be compared.
            int dimensions = vectors.isEmpty() ? values.size() : vectors.getFirst().length;
            if (!values.isArray() || values.isEmpty() || values.size() != dimensions) {
                throw new CallFailed(NOT_VECTORS);
            }
            float[] vector = new float[dimensions];
            for (int i = 0; i < dimensions; i++) {
                JsonNode value = values.get(i);
                if (!value.isNumber()) {
                    throw new CallFailed(NOT_VECTORS);
                }
                vector[i] = value.floatValue();
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

    /**
     * Sends {@code call} and reads its answer, all within the call's timeout: the request's own timeout ends with
     * the response's head, so a body that trickles in is cut here too.
     */
    private HttpResponse<byte[]> send(HttpRequest.Builder call) throws CallFailed {
        CompletableFuture<HttpResponse<byte[]>> answer = http.sendAsync(call.build(), info -> new Bounded());
        try {
            return answer.get(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new CallFailed("timeout");
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallFailed("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new CallFailed(cause instanceof HttpTimeoutException ? "timeout" : "io "
                    + cause.getClass().getSimpleName());
        }
    }

    /** The body of a 2xx answer; an error answer as {@code status <code> <error code>}. */
    private static JsonNode read(HttpResponse<byte[]> response) throws CallFailed {
        int status = response.statusCode();
        if (response.body() == null) {
            throw new CallFailed("status " + status + " body over " + MAX_BODY + " bytes", status, null);
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (status / 100 != 2) {
            JsonNode error = body == null ? null : body.path("error");
            String code = error == null ? null : error.path("code").textValue();
            throw new CallFailed("status " + status + (code == null ? "" : " " + code), status,
                    error == null ? null : error.path("param").textValue());
        }
        if (body == null || !body.isObject()) {
            throw new CallFailed("status " + status + " unreadable body", status, null);
        }
        return body;
    }

    /**
     * Reads a body into memory up to {@link #MAX_BODY} bytes; a longer one is cut off (the read cancelled, the
     * connection dropped) and reads as null.
     */
    private static final class Bounded implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream read = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (body.isDone()) {
                    return;
                }
                if (read.size() + buffer.remaining() > MAX_BODY) {
                    subscription.cancel();
                    body.complete(null);
                    return;
                }
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                read.writeBytes(bytes);
            }
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(read.toByteArray());
        }
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
