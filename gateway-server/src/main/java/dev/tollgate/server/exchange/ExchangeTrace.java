package dev.tollgate.server.exchange;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Fault;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.trace.Span;
import dev.tollgate.core.observe.trace.TraceContext;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.observe.trace.Tracer;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.server.trace.TraceHeaders;
import dev.tollgate.server.upstream.Origin;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;

/**
 * One exchange's part in a distributed trace, on the exchange's event loop.
 *
 * <p>Tracing on: a SERVER span for the request (a child of the client's {@code traceparent} when it sent a valid
 * one) and a CLIENT span per upstream attempt, retries and fallbacks included, whose context is the
 * {@code traceparent} the provider gets. Tracing off: the gateway is a transparent hop, and a valid
 * {@code traceparent} (with its {@code tracestate}) goes to the provider as the client sent it, so the client's
 * own trace still reaches the provider. A malformed one is not passed on: the spec asks a hop to treat it as
 * absent. No other client header reaches the provider through here.
 *
 * <p>Attributes follow the OpenTelemetry GenAI semantic conventions ({@code gen_ai.*}), plus {@code tollgate.*}
 * for routing; they are computed only for sampled spans, and never hold a prompt, a completion, a key or a secret.
 */
final class ExchangeTrace {
    /**
     * The exchanges with nothing to trace or pass on (tracing off, no valid client context): shared, as nothing
     * in it ever changes, so that the common untraced request costs no allocation here.
     */
    private static final ExchangeTrace NONE = new ExchangeTrace(null, null, null, null);

    private final Tracer tracer;
    /** The request's span; null while tracing is off. */
    private final Span server;
    /** The client's context, passed on untouched while tracing is off; null when none (or invalid) came. */
    private final TraceContext incoming;
    private final String operation;
    private Span attempt;
    private int attempts;
    private String responseId;
    private String responseModel;
    private FinishReason finishReason;

    private ExchangeTrace(Tracer tracer, Span server, TraceContext incoming, String operation) {
        this.tracer = tracer;
        this.server = server;
        this.incoming = incoming;
        this.operation = operation;
    }

    /**
     * Reads the client's trace context and, when tracing is on, starts the request's span.
     *
     * @param startNanos when the request arrived ({@code nanoTime})
     */
    static ExchangeTrace begin(Tracer tracer, TraceSettings settings, HttpHeaders requestHeaders, Operation op,
                               long startNanos) {
        TraceContext incoming = TraceHeaders.read(requestHeaders);
        if (!settings.enabled()) {
            return incoming == null ? NONE : new ExchangeTrace(tracer, null, incoming, null);
        }
        String operation = operationName(op);
        return new ExchangeTrace(tracer, tracer.server(settings, incoming, operation, startNanos), incoming, operation);
    }

    /** The GenAI operation name; token counting is the gateway's own, named as its route is. */
    private static String operationName(Operation op) {
        return switch (op) {
            case CHAT -> "chat";
            case EMBEDDINGS -> "embeddings";
            case COUNT_TOKENS -> "count_tokens";
        };
    }

    /** The trace id for the access log: this request's trace, or the one the client sent; null when neither. */
    String traceId() {
        if (server != null) {
            return server.context().traceIdHex();
        }
        return incoming == null ? null : incoming.traceIdHex();
    }

    /** Whether the request's span is sampled: only then are attributes worth computing. */
    boolean recording() {
        return server != null && server.recording();
    }

    /**
     * An attempt on {@code deployment} begins: its CLIENT span starts, unless one is open already (the same
     * attempt sent again on a fresh connection after a pooled one turned out closed is not a new attempt).
     */
    void attemptStarted(Deployment deployment, Origin origin) {
        if (server == null || attempt != null) {
            return;
        }
        attempts++;
        String model = deployment.upstreamModel();
        attempt = tracer.client(server, operation + " " + model);
        if (attempt.recording()) {
            attempt.put("gen_ai.operation.name", operation)
                    .put("gen_ai.provider.name", providerName(deployment.provider().type()))
                    .put("gen_ai.request.model", model)
                    .put("server.address", origin.host())
                    .put("server.port", (long) origin.port())
                    .put("tollgate.deployment", deployment.id())
                    .put("tollgate.attempt", (long) attempts);
        }
    }

    /** Sets the trace headers of a request to the provider; see the class comment for which. */
    void inject(HttpHeaders upstream) {
        TraceContext context = attempt != null ? attempt.context() : server == null ? incoming : null;
        if (context == null) {
            return;
        }
        upstream.set(TraceContext.TRACEPARENT, context.traceparent());
        if (context.traceState() != null) {
            upstream.set(TraceContext.TRACESTATE, context.traceState());
        } else {
            upstream.remove(TraceContext.TRACESTATE);
        }
    }

    /** The provider's response head arrived. */
    void upstreamStatus(int status) {
        if (attempt != null) {
            attempt.put("http.response.status_code", (long) status);
        }
    }

    /** The current attempt is over: a success when {@code failure} is null. Does nothing when none is open. */
    void attemptEnded(GatewayError failure) {
        if (attempt == null) {
            return;
        }
        if (failure != null) {
            // No description: a provider's error message may quote the request, and spans never hold one.
            attempt.failed(failure.kind().label(), null);
        }
        attempt.end();
        attempt = null;
    }

    /**
     * The current attempt never reached its deployment (this gateway's own connection queue to it was full): ended
     * as failed, so the next deployment's attempt gets a span of its own.
     */
    void attemptNotSent(String errorType) {
        if (attempt != null) {
            attempt.failed(errorType, null);
        }
        attemptEnded((GatewayError) null);
    }

    /** The same, for an attempt cut short by the exchange's end (the client left, the deadline passed). */
    private void attemptEnded(ErrorKind kind) {
        if (attempt != null && kind != null) {
            attempt.failed(kind.label(), null);
        }
        attemptEnded((GatewayError) null);
    }

    /** What the provider's answer said about itself; any may be null. */
    void answered(String id, String model, FinishReason reason) {
        if (server == null) {
            return; // nothing to describe (and NONE is shared)
        }
        responseId = id;
        responseModel = model;
        finishReason = reason;
    }

    /**
     * The exchange is over: the open attempt (if any) ends with it, and the request's span gets its attributes and
     * ends.
     *
     * @param requestedModel the model the client asked for, or null when the body could not be read
     * @param sampling the request's generation parameters, or null when unknown
     * @param deployment the deployment that served the request, or null
     */
    void finished(ExchangeSummary s, String requestedModel, Sampling sampling, Deployment deployment) {
        attemptEnded(s.errorKind());
        if (server == null) {
            return;
        }
        if (server.recording()) {
            describe(s, requestedModel, sampling, deployment);
        }
        server.end();
    }

    private void describe(ExchangeSummary s, String requestedModel, Sampling sampling, Deployment deployment) {
        server.name(requestedModel == null ? operation : operation + " " + requestedModel);
        server.put("gen_ai.operation.name", operation)
                .put("gen_ai.request.model", requestedModel)
                .put("http.response.status_code", (long) s.status())
                .put("tollgate.request_id", s.requestId())
                .put("tollgate.route", s.route())
                .put("tollgate.model_group", s.model())
                .put("tollgate.key", s.key())
                .put("tollgate.team", s.team())
                .put("tollgate.stream", s.stream());
        if (deployment != null) {
            server.put("gen_ai.provider.name", providerName(deployment.provider().type()))
                    .put("tollgate.deployment", deployment.id());
        }
        if (sampling != null) {
            if (sampling.maxTokens() != null) {
                server.put("gen_ai.request.max_tokens", (long) sampling.maxTokens());
            }
            if (sampling.temperature() != null) {
                server.put("gen_ai.request.temperature", sampling.temperature());
            }
            if (sampling.topP() != null) {
                server.put("gen_ai.request.top_p", sampling.topP());
            }
        }
        server.put("gen_ai.response.id", responseId).put("gen_ai.response.model", responseModel);
        if (finishReason != null) {
            server.put("gen_ai.response.finish_reasons", List.of(finishReason.name().toLowerCase(Locale.ROOT)));
        }
        Usage usage = s.usage();
        if (usage.inputTokens() >= 0) {
            server.put("gen_ai.usage.input_tokens", usage.inputTokens());
        }
        if (usage.outputTokens() >= 0) {
            server.put("gen_ai.usage.output_tokens", usage.outputTokens());
        }
        var routing = s.routing();
        server.put("tollgate.tier", routing.tier())
                .put("tollgate.variant", routing.variant())
                .put("tollgate.attempts", (long) routing.attempts())
                .put("tollgate.fell_back", routing.fellBack());
        if (s.cache() != null) {
            server.put("tollgate.cache", s.cache().result().label());
        }
        if (s.prompt() != null) {
            server.put("tollgate.prompt", s.prompt().id())
                    .put("tollgate.prompt_version", (long) s.prompt().version())
                    .put("tollgate.prompt_label", s.prompt().label())
                    .put("tollgate.experiment", s.prompt().variant());
        }
        if (s.errorKind() != null) {
            // A caller's mistake is recorded but is no failure of this service, as for HTTP server spans.
            boolean serverFault = s.errorKind().fault() == Fault.PROVIDER || s.errorKind().fault() == Fault.GATEWAY;
            if (serverFault) {
                server.failed(s.errorKind().label(), null);
            } else {
                server.put("error.type", s.errorKind().label());
            }
        }
    }

    /** The {@code gen_ai.provider.name} of a provider type: the conventions' well-known names where they have one. */
    static String providerName(String type) {
        return switch (type) {
            case "gemini" -> "gcp.gemini";
            case "bedrock" -> "aws.bedrock";
            case "azure-openai" -> "azure.ai.openai";
            default -> type; // openai, anthropic: the same name; others as configured
        };
    }
}
