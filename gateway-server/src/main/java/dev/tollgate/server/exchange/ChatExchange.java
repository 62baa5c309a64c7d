package dev.tollgate.server.exchange;

import dev.tollgate.core.cache.AnswerAssembler;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.guard.Blocks;
import dev.tollgate.core.guard.Screened;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.TokenEstimate;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.NextStep;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.ResponseModel;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.RateHeaders;
import dev.tollgate.core.quota.Reservation;
import dev.tollgate.core.routing.Candidate;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.RequestOptions;
import dev.tollgate.core.routing.RetryDecision;
import dev.tollgate.core.routing.RouteRequest;
import dev.tollgate.core.routing.RoutePlan;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.Passthrough;
import dev.tollgate.core.spi.PromptRequest;
import dev.tollgate.core.spi.PromptedBody;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.core.spi.TokenCounting;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.server.access.Caller;
import dev.tollgate.server.eval.EvaluationDraft;
import dev.tollgate.server.health.DeploymentHealth;
import dev.tollgate.server.pipeline.HttpReplies;
import dev.tollgate.server.pipeline.Route;
import dev.tollgate.server.quality.ReviewDraft;
import dev.tollgate.server.spend.Accounting;
import dev.tollgate.server.spend.Charge;
import dev.tollgate.server.spend.PendingQuote;
import dev.tollgate.server.spend.Quote;
import dev.tollgate.server.spend.Refusals;
import dev.tollgate.server.spend.RequestSize;
import dev.tollgate.server.spend.SpendHeaders;
import dev.tollgate.server.sse.EventFramer;
import dev.tollgate.server.sse.EventStreamFramer;
import dev.tollgate.server.sse.MalformedStreamException;
import dev.tollgate.server.sse.SseFramer;
import dev.tollgate.server.sse.SseOverflowException;
import dev.tollgate.server.upstream.Origin;
import dev.tollgate.server.upstream.PoolExhaustedException;
import dev.tollgate.server.upstream.UpstreamLease;
import dev.tollgate.server.upstream.UpstreamListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * One chat, embeddings or token-count request, from its body to the summary, on the client connection's event
 * loop (the upstream connection lives on the same loop, so nothing here is shared or locked).
 *
 * <pre>
 *  start: envelope -> {@link RoutePlan} (tier, split, group, candidates) -> first candidate
 *  attempt: breaker/bulkhead permit -> {@link ExchangePlan} -> quote (a large request that a budget or a token
 *           limit needs the size of: MEASURING, on a {@link MeasuringPool} worker, then back on the loop)
 *    -> ADMITTING (limits and budgets reserved; only when some apply) -> ACQUIRING -> AWAITING_HEAD
 *       -+-> READING_BODY (non-stream, or any non-2xx) -> answer -> DONE
 *        +-> STREAMING (2xx event stream, relayed by {@link StreamRelay}) -> DONE
 *  a failure before the commit point: the plan decides -> WAITING (backoff) -> same attempt again,
 *                                                      or the next candidate's attempt, or the error -> DONE
 *  admitted, first attempt: the response cache -> hit: answered -> DONE
 *                                                 miss, identical request in flight: FOLLOWING (its answer) -> DONE
 *  any state: client gone -> DONE (upstream closed, never pooled); overall deadline -> error -> DONE
 * </pre>
 *
 * A failure before the response is committed is retried or falls back as the plan decides, else becomes an
 * ordinary error response; after it, an in-band error event and a cut connection, so a client can never mistake
 * a broken answer for a finished one. Only the attempt that answers is charged: switching deployment settles the
 * previous reservation with nothing and admits the new deployment's quote (without counting the request again),
 * and however the exchange ends, the last reservation is settled once with what was used, in {@link #finish}.
 */
public final class ChatExchange implements UpstreamListener, ProxyExchange {

    /** Called once when the exchange is over, on its loop. */
    @FunctionalInterface
    public interface Done {
        /** @param connectionContinues false when the client connection is closing (no keep-alive, a cut stream) */
        void done(boolean connectionContinues);
    }

    private enum State {
        STARTING, MEASURING, ADMITTING, WAITING, ACQUIRING, AWAITING_HEAD, READING_BODY, STREAMING, FOLLOWING, DONE
    }

    private static final int MAX_EVENT_BYTES = 8 << 20;
    private static final GatewayError NOT_MEASURED = GatewayError.of(ErrorKind.GATEWAY_OVERLOADED, "The gateway "
            + "could not measure this request for its budget or token limit within the request's deadline; try "
            + "again shortly.").withRetryAfter(Duration.ofSeconds(1));
    private static final Logger LOG = Logger.getLogger(ChatExchange.class.getName());

    private final ChannelHandlerContext ctx;
    private final ExchangeServices services;
    private final ClientDialect dialect;
    private final Route route;
    private final String requestId;
    /** The id of this request's reservation and ledger row; see {@code RequestId.spendId}. */
    private final String spendId;
    private final boolean keepAlive;
    /** The client's body; for a request naming a registry prompt, the body with the prompt merged in. */
    private byte[] body;
    private final List<Header> clientHeaders;
    private final HttpHeaders requestHeaders;
    private final Done onDone;
    private final long startNanos = System.nanoTime();
    /** The request's span and its attempts' spans, or the client's trace context passed on. */
    private final ExchangeTrace trace;
    private Caller caller;

    private State state = State.STARTING;
    private final RuntimeSnapshot snapshot;
    private RequestEnvelope envelope;
    private ChatFeatures features;
    /**
     * A {@link MeasuringPool} worker is measuring this request: {@link #features} (whose decoded body the size may
     * memoize) is the worker's until its result is back on this loop, even when the exchange ended meanwhile, so
     * nothing here reads it until then.
     */
    private boolean measuring;
    private RoutePlan routing;
    /** The model group of the current attempt; only a configured name ever reaches a metrics label. */
    private String modelName;
    private Deployment deployment;
    private ProviderAdapter adapter;
    /** The current attempt's health permit; null between attempts. */
    private DeploymentHealth.Attempt permit;
    /** The plan for the upstream; null when the gateway answers itself (token counting, see {@link #toCount}). */
    private ExchangePlan plan;
    /** A token-count request the gateway answers itself, decoded; null otherwise. */
    private ChatRequest toCount;
    private Origin origin;
    private UpstreamLease lease;
    private boolean retriedStale;
    /**
     * When the current attempt's request was sent, or -1 while it is not. Each attempt starts at -1: the summary's
     * upstream time is the last attempt's and must never be an earlier attempt's, charged to a deployment that a
     * breaker or a failed connection kept the request from.
     */
    private long upstreamStartNanos = -1;
    private final Deadlines deadlines;
    private ScheduledFuture<?> backoff;
    private ReplyCollector reply;
    private StreamRelay relay;
    private boolean readWanted;
    private Usage answerUsage = Usage.UNKNOWN;
    private boolean cut;
    /** The upstream stream ended with its terminal event: its usage is the provider's last word. */
    private boolean streamComplete;
    private Quote quote;
    private Reservation reservation;
    /** Some attempt's admission was granted: the request is counted, later attempts must not count it again. */
    private boolean admitted;
    /** The shadow copy, if any, was sent (with the first attempt that proceeded). */
    private boolean mirrored;
    /** The last attempt that failed upstream: what the client gets if the plan then runs out of deployments. */
    private Answered lastFailure;
    /** Rate-limit, cost and routing headers for the client's response; null when there are none. */
    private HttpHeaders extraHeaders;
    /** The response cache's part in a chat exchange; null for other operations and while no model caches. */
    private CacheStep cache;
    /** A miss was offered to the identical request in flight (once, with the first attempt that was admitted). */
    private boolean cacheChecked;
    /** The answer came from the cache or from an identical request in flight: nothing is charged. */
    private boolean servedFromCache;
    /** A stored answer found for this request, served once the request is admitted; null on a miss. */
    private ResponseCache.Hit cached;
    /** Waiting on the identical request in flight; null otherwise. */
    private FlightFollower follower;
    /** What the leader of the flight this request followed paid for the answer. */
    private Money coalescedSaving = Money.ZERO;
    /** Counted in the in-flight gauges (from the decoded envelope on), so {@link #finish} uncounts it. */
    private boolean inFlight;
    /** Holds one of the {@link StreamSlots}, which {@link #finish} gives back. */
    private boolean streamSlot;
    /** The model that answered (in full, or a stream that began), bounded by {@link ResponseModel}; else null. */
    private String answeredBy;
    /**
     * Drawn for review sampling or by an evaluator (decided once routed, by spend id): only then are the prompt and
     * answer kept, for the review store or the evaluation queue, so an unsampled request pays nothing for either.
     */
    private boolean sampled;
    /** Drawn for review sampling. */
    private boolean reviewed;
    /** The evaluators that drew this request; empty (and never allocated) when none did. */
    private List<Evaluator.Sampled> evaluators = List.of();
    /** A sampled stream's events, gathered into its answer; null otherwise. */
    private AnswerAssembler keptTranscript;
    /** A sampled complete answer; null otherwise. */
    private ChatResponse keptAnswer;
    /** The registry prompt the request rendered, or null when it named none. */
    private PromptUse prompt;
    /** The client's values of that prompt's variables, for the input guardrails; empty without a prompt. */
    private List<String> promptValues = List.of();
    /** The guardrails of a chat request that has some (by model group, key or team); null otherwise. */
    private GuardStep guard;

    /**
     * @param clientHeaders the client headers its dialect carries to a same-dialect upstream
     * @param requestHeaders all of the request's headers, for routing controls and rules
     * @param snapshot the config the caller was authenticated with: the exchange keeps it for its whole life, so a
     *     reload in the middle never mixes two configs in one request
     */
    public ChatExchange(ChannelHandlerContext ctx, ExchangeServices services, RuntimeSnapshot snapshot,
                        ClientDialect dialect, Route route, String requestId, String spendId, boolean keepAlive,
                        byte[] body, List<Header> clientHeaders, HttpHeaders requestHeaders, Caller caller,
                        Done onDone) {
        this.snapshot = snapshot;
        this.caller = caller;
        this.spendId = spendId;
        this.ctx = ctx;
        this.services = services;
        this.dialect = dialect;
        this.route = route;
        this.requestId = requestId;
        this.keepAlive = keepAlive;
        this.body = body;
        this.clientHeaders = clientHeaders;
        this.requestHeaders = requestHeaders;
        this.onDone = onDone;
        this.deadlines = new Deadlines(ctx.executor(), () -> readWanted, this::timedOut);
        this.trace = ExchangeTrace.begin(services.tracer(), snapshot.tracing(), requestHeaders, route.operation(),
                startNanos);
    }

    /** Decodes and routes, then starts the first attempt. Everything after happens in callbacks on this loop. */
    @Override
    public void start() {
        Operation operation = route.operation();
        RetryDecision first;
        RequestOptions options;
        try {
            envelope = envelope(operation);
            if (streaming()) {
                int maxStreams = snapshot.server().maxStreams();
                if (!services.streams().take(maxStreams)) {
                    fail(StreamSlots.full(maxStreams));
                    return;
                }
                streamSlot = true;
            }
            inFlight = true;
            services.reporter().metrics().exchangeStarted(streaming());
            caller = caller.withBodyUser(envelope.user());
            options = RequestControls.read(requestHeaders, snapshot.routing().resilience().client());
            if (operation == Operation.CHAT && snapshot.cache().anyEnabled()) {
                // Without a cache the request path stays as it was: no cache headers read, no body decoded.
                cache = new CacheStep(services.cache(), services.sharedCache(), services.flights(), snapshot.cache(),
                        CacheControls.read(requestHeaders));
            }
            features = new ChatFeatures(dialect, operation, body, caller, requestHeaders);
            routing = services.router().plan(snapshot.models(), snapshot.routing(),
                    new RouteRequest(envelope.model(), requestHeaders.get(RouteRequest.TIER_HEADER), operation, features,
                            this::mayAsk, caller.user(), options),
                    services.health(), services.accounting().prices(snapshot), ThreadLocalRandom.current());
            modelName = routing.model();
            if (operation == Operation.CHAT && !caller.internal()) {
                // Once the plan names the model group (a tier or an alias resolves to one), and before anything is
                // admitted, looked up or sent. The gateway's own evaluation calls are not screened: what they send
                // is a client's answer, which its own request's guardrails already saw.
                guard = GuardStep.of(snapshot.guardrails().forRequest(modelName, caller.keyName(),
                        caller.teamName()), services.reporter().metrics());
                GatewayError blocked = guard == null ? null : guard.screenRequest(features, promptValues);
                if (blocked != null) {
                    throw new GatewayException(blocked);
                }
            }
            // Drawn on the gateway's own id: a client that sends one x-request-id every time would otherwise have
            // all or none of its requests kept, and could choose ids that are never reviewed.
            // The gateway's own evaluation calls are never sampled: an evaluation would otherwise evaluate itself.
            if (operation == Operation.CHAT && !caller.internal()) {
                reviewed = snapshot.review().sampled(spendId, modelName);
                if (snapshot.evaluation().any()) {
                    evaluators = snapshot.evaluation().sampledFor(spendId, modelName, caller.keyName(),
                            route.label());
                }
                sampled = reviewed || !evaluators.isEmpty();
            }
            first = routing.first();
            if (first instanceof RetryDecision.TryNext next) {
                Duration overall = options.timeout() != null ? options.timeout()
                        : next.candidate().deployment().provider().timeouts().overall();
                deadlines.start(overall);
            }
        } catch (GatewayException e) {
            fail(e.error());
            return;
        } catch (RuntimeException e) {
            internal(e);
            return;
        }
        if (cache != null) {
            lookUp(first);
        } else {
            decide(first, null);
        }
    }

    /**
     * The request's envelope. A request that names a registry prompt (by header, or by the body's top-level
     * {@code prompt} field, which the envelope scan notes) has it merged into its body first, so everything after
     * this sees an ordinary request of the client's dialect; one that names none pays a header look-up.
     */
    private RequestEnvelope envelope(Operation operation) {
        String reference = requestHeaders.get(PromptRequest.HEADER);
        if (reference == null) {
            RequestEnvelope plain = dialect.envelope(body, operation);
            if (!plain.namesPrompt() && !requestHeaders.contains(PromptRequest.VARIABLES_HEADER)) {
                return plain;
            }
        }
        if (operation == Operation.EMBEDDINGS) {
            throw new GatewayException(GatewayError.invalid(PromptRequest.FIELD, "prompt_not_supported",
                    "Registry prompts are for chat requests; an embeddings request cannot name one."));
        }
        PromptedBody merged = dialect.mergePrompt(body, operation,
                PromptRequest.fromHttp(requestHeaders.getAll(PromptRequest.HEADER),
                        requestHeaders.getAll(PromptRequest.VARIABLES_HEADER)),
                (ref, bodyUser) -> snapshot.prompts().choose(ref, caller.keyName(),
                        caller.withBodyUser(bodyUser).user(), ThreadLocalRandom.current()));
        body = merged.body();
        prompt = merged.choice().use();
        promptValues = merged.values();
        // Set now, so every answer carries them: an error, a cached replay, a followed flight.
        headers().set(PromptRequest.HEADER, prompt.id() + "@" + prompt.version());
        if (prompt.experiment() != null) {
            headers().set(PromptRequest.EXPERIMENT_HEADER, prompt.variant());
        }
        return dialect.envelope(body, operation);
    }

    /** Whether the caller's key may ask for a name: a model group, a tier or an alias. */
    private boolean mayAsk(String name) {
        return caller.key() == null || caller.key().allowsModel(name);
    }

    /**
     * Shadow traffic: a copy of a chat request to the group the config mirrors it to, if drawn this time. Sent
     * once the request is admitted and on its way, so a refused request never costs a shadow call.
     */
    private void mirror() {
        if (mirrored || route.operation() != Operation.CHAT || snapshot.routing().shadows().isEmpty()
                || caller.internal()) {
            return;
        }
        mirrored = true;
        try {
            Candidate target = services.router().shadow(snapshot.models(), snapshot.routing(), routing.model(),
                    features, services.health(), services.accounting().prices(snapshot), ThreadLocalRandom.current());
            if (target != null) {
                ShadowCall.send(ctx.channel().eventLoop(), services, snapshot, target.group().name(),
                        target.deployment(), features.request(), requestId);
            }
        } catch (RuntimeException e) {
            // The client's answer never depends on its shadow: a copy that cannot be made is dropped.
            LOG.log(Level.FINE, "request " + requestId + ": no shadow copy", e);
        }
    }

    /** Acts on the plan's decision after a failure ({@code failed}, null before the first attempt). */
    private void decide(RetryDecision decision, Answered failed) {
        switch (decision) {
            case RetryDecision.TryNext next -> attempt(next.candidate());
            case RetryDecision.RetrySame same -> {
                state = State.WAITING;
                backoff = ctx.executor().schedule(this::retrySame, same.after().toNanos(), TimeUnit.NANOSECONDS);
            }
            case RetryDecision.GiveUp up -> giveUp(up.error(), failed != null ? failed : lastFailure);
        }
    }

    /**
     * Answers with the plan's final error. After a real failure, "no deployment can take it" (the rest were
     * unavailable) says less than that failure did, so the failure is what the client gets; a provider's own
     * error body is relayed as it came.
     */
    private void giveUp(GatewayError error, Answered last) {
        if (last != null && (last.error() == error || RoutePlan.NO_DEPLOYMENT.equals(error.code()))) {
            if (last.body() != null) {
                answer(last.body());
            } else {
                fail(last.error());
            }
            return;
        }
        fail(error);
    }

    /** What a failed attempt left: its error, and the provider's own error body when it can be relayed. */
    private record Answered(GatewayError error, ExchangePlan.Answer.Body body) {}

    /** Starts an attempt on a candidate (the first, or another deployment after a failure). */
    private void attempt(Candidate candidate) {
        if (reservation != null) {
            // Switching deployment: the failed attempt is not charged, and the new one is quoted at its own price.
            services.accounting().settle(reservation, Usage.UNKNOWN, Charge.NOTHING);
            reservation = null;
        }
        deployment = candidate.deployment();
        modelName = candidate.group().name();
        upstreamStartNanos = -1; // a new attempt: see the field
        adapter = services.providers().adapter(deployment.provider().type());
        Operation operation = route.operation();
        // A provider that cannot count tokens natively: the gateway counts, after the caller's limits admit it.
        boolean countHere = operation == Operation.COUNT_TOKENS && !sameDialect();
        if (!countHere && !acquirePermit()) {
            return;
        }
        retriedStale = false;
        Quote q;
        try {
            if (countHere) {
                // only dialects with a counting route reach here; decoded now, so a bad body is a 400 up front
                toCount = features.request();
                plan = null;
            } else {
                toCount = null;
                plan = ExchangePlan.of(operation, dialect, body, features::request, clientHeaders, envelope,
                        deployment, adapter, requestId, guard != null && guard.translates(),
                        services.accounting().maxOutputTokens(snapshot, deployment));
                origin = Origin.of(plan.call().uri());
                ExchangePlan.Clamp.announce(plan, headers());
            }
            PendingQuote pending = services.accounting().pending(snapshot, caller, modelName, deployment,
                    operation != Operation.COUNT_TOKENS);
            // Token counting reserves no tokens (its size is nothing): only a chat or embeddings body is measured.
            if (pending.needsSize() && operation != Operation.COUNT_TOKENS && MeasuringPool.worthAHop(body.length)
                    && measureElsewhere(pending)) {
                return;
            }
            q = services.accounting().complete(pending, countHere ? counter -> RequestSize.NOTHING : plan::size);
        } catch (GatewayException e) {
            releasePermit();
            fail(e.error());
            return;
        } catch (RuntimeException e) {
            releasePermit();
            internal(e);
            return;
        }
        quoted(q);
    }

    /**
     * Measures the request on a {@link MeasuringPool} worker, then goes on with its quote on this loop
     * ({@link #measured}). False when the pool takes no more work: the caller then measures here. The worker reads
     * only the immutable pending quote and plan, the body (a {@code byte[]}, never a buffer this loop could
     * release) and, through the plan, {@link #features}, which this loop leaves alone meanwhile (see
     * {@link #measuring}); the executors' queues publish what each side wrote to the other.
     */
    private boolean measureElsewhere(PendingQuote pending) {
        ExchangePlan sized = plan;
        if (!services.measuring().offer(() -> measure(pending, sized))) {
            return false;
        }
        state = State.MEASURING;
        measuring = true;
        return true;
    }

    /**
     * On a worker: the quote, or why there is none, handed back to this exchange's loop. An {@link Error} hands
     * nothing back: the request's deadline then ends the exchange.
     */
    private void measure(PendingQuote pending, ExchangePlan sized) {
        Runnable result;
        try {
            Quote q = services.accounting().complete(pending, sized::size);
            result = () -> measured(q, null);
        } catch (RuntimeException e) {
            result = () -> measured(null, e);
        }
        try {
            ctx.executor().execute(result);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down and the exchange with it; nothing was reserved yet, so nothing is left to free.
        }
    }

    /** The worker's result, back on this loop: the quote goes on as one measured here would, a failure alike. */
    private void measured(Quote q, RuntimeException failure) {
        measuring = false;
        if (state != State.MEASURING) {
            return; // the client left or the deadline passed meanwhile: the permit is back, and nothing was reserved
        }
        if (failure != null) {
            releasePermit();
            if (failure instanceof GatewayException e) {
                fail(e.error());
            } else {
                internal(failure);
            }
            return;
        }
        quoted(q);
    }

    /** Admits the attempt's quote, then proceeds. */
    private void quoted(Quote q) {
        // An earlier attempt's admission already counted this request in the caller's windows.
        quote = admitted ? q.followUp() : q;
        admitThenProceed();
    }

    /** Reserves the quote in every scope it names (on the limit store, maybe elsewhere), then proceeds. */
    private void admitThenProceed() {
        if (!quote.limited()) {
            proceed();
            return;
        }
        state = State.ADMITTING;
        CompletionStage<Admission> admission;
        try {
            admission = services.accounting().admit(quote, spendId, deadlines.left());
        } catch (RuntimeException e) {
            releasePermit();
            internal(e);
            return;
        }
        CompletableFuture<Admission> done = admission.toCompletableFuture();
        if (done.isDone() && !done.isCompletedExceptionally()) {
            onAdmitted(done.join()); // the local store answers inline: no hop through the loop's queue
        } else {
            admission.whenComplete(this::admittedElsewhere);
        }
    }

    /**
     * Asks the deployment's breaker and bulkhead for a permit; without one, moves on as the plan says (nothing was
     * sent, so no attempt is counted). Returns whether the attempt may go on.
     */
    private boolean acquirePermit() {
        permit = services.health().begin(deployment, snapshot.routing().resilience());
        if (permit != null) {
            return true;
        }
        decide(routing.unavailable(services.health().unavailableFor(deployment)), null);
        return false;
    }

    /** Gives the permit back without a verdict: nothing reached the deployment. */
    private void releasePermit() {
        if (permit != null) {
            permit.abandon();
            permit = null;
        }
    }

    /** Ends the permit with the attempt's verdict: null for a success. */
    private void endPermit(GatewayError failure) {
        if (permit != null) {
            permit.end(failure);
            permit = null;
        }
    }

    /** After a backoff: the same deployment, same plan and reservation, a fresh connection. */
    private void retrySame() {
        backoff = null;
        if (state != State.WAITING) {
            return;
        }
        upstreamStartNanos = -1; // a new attempt: see the field
        if (acquirePermit()) {
            retriedStale = false;
            connect();
        }
    }

    /** A store that answered on its own thread: back to this exchange's loop before touching anything. */
    private void admittedElsewhere(Admission admission, Throwable failure) {
        Admission answer = admission;
        if (answer == null) {
            LOG.log(Level.WARNING, "request " + requestId + ": the limit store failed", failure);
            answer = new Admission.Unavailable("the limit store failed", Duration.ofSeconds(1));
        }
        Admission result = answer;
        try {
            ctx.executor().execute(() -> onAdmitted(result));
        } catch (RejectedExecutionException e) {
            // The loop is shutting down and the exchange is gone with it: only the reservation is left to free.
            if (result instanceof Admission.Granted g) {
                services.accounting().settle(g.reservation(), Usage.UNKNOWN, Charge.NOTHING);
            }
        }
    }

    private void onAdmitted(Admission admission) {
        if (state != State.ADMITTING) {
            // The client left (or the deadline passed) while the store was answering: give the slots back.
            if (admission instanceof Admission.Granted g) {
                services.accounting().settle(g.reservation(), Usage.UNKNOWN, Charge.NOTHING);
            }
            return;
        }
        switch (admission) {
            case Admission.Granted g -> {
                reservation = g.reservation();
                admitted = true;
                rateHeaders(g.headers());
                proceed();
            }
            case Admission.Denied d -> {
                rateHeaders(d.headers());
                releasePermit();
                String scope = d.denial().scope();
                if (Accounting.isDeploymentScope(scope)) {
                    // The deployment's own quota is full, not the caller's: another deployment may well serve it.
                    Duration hint = d.denial().retryAfter(); // null: the request can never fit this deployment
                    decide(routing.unavailable(hint == null ? Duration.ZERO : hint), null);
                    return;
                }
                services.reporter().metrics().quotaDenied(Refusals.kind(scope), d.denial().dimension().label());
                fail(Refusals.of(d.denial(), quote.cost(), services.accounting().clock().instant()));
            }
            case Admission.Unavailable u -> {
                releasePermit();
                fail(Refusals.of(u));
            }
        }
    }

    private void rateHeaders(RateHeaders headers) {
        if (headers.limitRequests() < 0 && headers.limitTokens() < 0) {
            return;
        }
        SpendHeaders.rate(headers, headers());
    }

    private HttpHeaders headers() {
        if (extraHeaders == null) {
            extraHeaders = new DefaultHttpHeaders();
        }
        return extraHeaders;
    }

    /** Which deployment answered and how it was reached; set before each response head. */
    private void routeHeaders() {
        if (routing == null || deployment == null) {
            return;
        }
        HttpHeaders h = headers();
        h.set("x-tollgate-deployment", deployment.id());
        h.set("x-tollgate-attempts", Integer.toString(Math.max(1, routing.attempts())));
        if (routing.tried().size() > 1) {
            h.set("x-tollgate-fallback", String.join(",", routing.tried()));
        }
        if (routing.tier() != null) {
            h.set(RouteRequest.TIER_HEADER, routing.tier());
        }
        if (routing.tierRule() != null) {
            h.set("x-tollgate-tier-rule", routing.tierRule());
        }
        if (routing.variant() != null) {
            h.set("x-tollgate-variant", routing.variant());
        }
    }

    private boolean sameDialect() {
        return adapter instanceof Passthrough same && same.dialect().equals(dialect.id());
    }

    /**
     * Admitted: the cached answer replayed, the answer of an identical request in flight awaited, or the request
     * to the provider (or, for token counting the provider cannot do, answered here).
     */
    private void proceed() {
        if (cached != null) {
            replayCached();
            return;
        }
        if (cache != null && !cacheChecked) {
            cacheChecked = true; // once, with the first admitted attempt
            // A guarded request does not share another's answer: that answer went through the other's guardrails.
            if (cache.missed() && guard == null && following(features.request())) { // decoded already, by the lookup
                return;
            }
        }
        mirror();
        if (plan == null) {
            countLocally();
        } else {
            connect();
        }
    }

    /**
     * Looks the request up in the cache before any deployment is tried, so that a stored answer is served even
     * while every deployment is down or out of quota, and uses none of their capacity.
     */
    private void lookUp(RetryDecision first) {
        CompletableFuture<ResponseCache.Hit> lookup;
        try {
            lookup = cache.lookup(routing.model(), features::request, caller).toCompletableFuture();
        } catch (GatewayException e) {
            // A body the gateway cannot read in full may still pass through to a same-dialect provider: not cached.
            cache = null;
            decide(first, null);
            return;
        }
        if (lookup.isDone()) {
            lookedUp(lookup.getNow(null), first);
            return;
        }
        state = State.ADMITTING; // the shared store answers on its own thread
        lookup.whenComplete((hit, failure) -> {
            try {
                ctx.executor().execute(() -> {
                    if (state == State.ADMITTING) { // else the client left or the deadline passed: all settled
                        lookedUp(hit, first);
                    }
                });
            } catch (RejectedExecutionException e) {
                // The loop is shutting down and the exchange with it: nothing is left to do.
            }
        });
    }

    /**
     * A miss routes the request as usual (and, once admitted, it may wait on an identical request in flight). A
     * hit is admitted against the caller's own rate limits only (a hit counts as a request, but reaches no
     * deployment and costs nothing), then replayed.
     */
    private void lookedUp(ResponseCache.Hit found, RetryDecision first) {
        if (found == null) {
            cache.found(null, headers());
            decide(first, null);
            return;
        }
        // Not a hit yet, for the response header and the records: a hit the caller's limits refuse is a refusal.
        cached = found;
        deployment = null; // no deployment serves it
        quote = services.accounting().quoteCached(snapshot, caller);
        admitThenProceed();
    }

    /** The admitted hit, in the client's dialect; the reservation is settled at zero by {@link #finish}. */
    private void replayCached() {
        cache.found(cached, headers());
        servedFromCache = true;
        ChatResponse answer = cached.entry().response();
        if (guard != null && guard.screensAnswer()) {
            // The stored answer passed the guardrails of the request that stored it, not necessarily this one's.
            Screened<ChatResponse> screened = guard.screenStored(answer);
            if (screened.blocked()) {
                fail(Blocks.answer(screened.blockedBy()));
                return;
            }
            answer = screened.value();
        }
        answeredBy = ResponseModel.of(answer.model(), null);
        if (sampled) {
            keptAnswer = answer;
        }
        CachedReply.send(ctx, dialect, features.request(), answer, streaming(), requestId, keepAlive, extraHeaders);
        finish(200, null);
    }

    /**
     * After a miss: waits on the identical request in flight, if there is one that takes followers, instead of
     * going upstream. The deployment's permit is given back (a follower holds no upstream capacity), the
     * reservation is kept until the flight lands.
     */
    private boolean following(ChatRequest request) {
        var waiting = new FlightFollower(ctx, dialect, request, streaming(), requestId, keepAlive, extraHeaders,
                cache.maxEntryBytes(), new Landing());
        if (!cache.follows(waiting, extraHeaders)) {
            return false;
        }
        waiting.boarded(cache.flight());
        follower = waiting;
        releasePermit();
        state = State.FOLLOWING;
        return true;
    }

    /** How a followed flight ends for this exchange; on this loop. */
    private final class Landing implements FlightFollower.Landing {
        @Override
        public void coalesced(Money saved) {
            if (state != State.FOLLOWING) {
                return;
            }
            follower = null;
            deployment = null; // no deployment served this request
            servedFromCache = true;
            coalescedSaving = saved;
            finish(200, null);
        }

        @Override
        public void cut(GatewayError error) {
            if (state != State.FOLLOWING) {
                return;
            }
            follower = null;
            deployment = null;
            servedFromCache = true;
            cut = true;
            finish(200, error.kind());
        }

        @Override
        public void orphaned() {
            if (state != State.FOLLOWING) {
                return;
            }
            follower = null;
            cache.orphaned(headers());
            // On its own now, as if it had missed with no flight to join: the same deployment, a fresh permit.
            if (acquirePermit()) {
                mirror();
                connect();
            }
        }
    }

    /** A provider that cannot count tokens natively: the gateway's estimate, in the dialect's shape. */
    private void countLocally() {
        long tokens = TokenEstimate.input(toCount);
        routeHeaders();
        HttpReplies.send(ctx, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                Unpooled.wrappedBuffer(((TokenCounting) dialect).encodeTokenCount(tokens)), requestId, keepAlive,
                extraHeaders);
        finish(200, null);
    }

    private boolean streaming() {
        return route.operation() == Operation.CHAT && envelope.stream();
    }

    private void connect() {
        state = State.ACQUIRING;
        trace.attemptStarted(deployment, origin);
        services.upstreams().acquire(ctx.channel().eventLoop(),
                origin, deployment.provider().timeouts().connect(), this, this::onAcquired);
    }

    private void onAcquired(Future<UpstreamLease> acquired) {
        if (!acquired.isSuccess()) {
            if (state != State.ACQUIRING) {
                return;
            }
            if (acquired.cause() instanceof PoolExhaustedException) {
                // This gateway's own queue for the origin is full, not the deployment's fault: another may serve.
                releasePermit();
                trace.attemptNotSent("pool_exhausted");
                decide(routing.unavailable(Duration.ofSeconds(1)), null);
                return;
            }
            attemptFailed(connectError(acquired.cause()), null);
            return;
        }
        if (state != State.ACQUIRING) {
            acquired.getNow().returnUnused(); // the client left while waiting: the connection is still good
            return;
        }
        lease = acquired.getNow();
        state = State.AWAITING_HEAD;
        routing.sent();
        upstreamStartNanos = System.nanoTime();
        deadlines.arm(deployment.provider().timeouts().firstByte());
        UpstreamLease sent = lease;
        sent.send(UpstreamRequests.build(plan.call(), origin, plan.body(ctx.alloc()), streaming(), requestId,
                        trace))
                .addListener(w -> {
                    if (!w.isSuccess() && lease == sent) {
                        onClosed(w.cause());
                    }
                });
        lease.read();
    }

    @Override
    public void onMessage(HttpObject msg) {
        try {
            if (state == State.DONE || lease == null) {
                return;
            }
            deadlines.touch();
            if (msg instanceof HttpResponse head) {
                onHead(head);
            }
            if (msg instanceof HttpContent piece && (state == State.READING_BODY || state == State.STREAMING)) {
                onContent(piece);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse head) {
        if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return;
        }
        if (permit != null) {
            permit.head(head.status().code(), head.headers());
        }
        trace.upstreamStatus(head.status().code());
        deadlines.arm(deployment.provider().timeouts().idle());
        boolean ok = head.status().codeClass() == HttpStatusClass.SUCCESS;
        EventFramer framer = ok && streaming() ? framerFor(head.headers().get(HttpHeaderNames.CONTENT_TYPE, "")) : null;
        if (framer != null) {
            state = State.STREAMING;
            routeHeaders();
            AnswerAssembler transcript = cache == null ? null : cache.transcript();
            if (sampled) {
                // The cache's transcript, when it keeps one, is the same answer: one assembler serves both.
                // Otherwise only as much as the review or the evaluators keep is held: a long stream is not
                // gathered whole for them.
                keptTranscript = transcript != null ? transcript : AnswerAssembler.keeping(keptChars());
                transcript = keptTranscript;
            }
            relay = new StreamRelay(ctx, adapter.streamDecoder(), framer, plan.rendering(), requestId,
                    keepAlive, snapshot.server().streamKeepAlive(), startNanos, extraHeaders, transcript,
                    cache == null ? null : cache.sharing(deployment.upstreamModel()),
                    guard == null ? null : guard.streamGuard(), new SecretScrub(deployment.provider()));
            return;
        }
        state = State.READING_BODY;
        reply = new ReplyCollector(head, ctx.alloc(), snapshot.server().maxResponseBytes());
    }

    /** The framing of a streamed body, by its content type; null for a body that is not a stream. */
    private EventFramer framerFor(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("text/event-stream")) {
            return new SseFramer(ctx.alloc(), MAX_EVENT_BYTES);
        }
        if (type.startsWith("application/vnd.amazon.eventstream")) {
            return new EventStreamFramer(ctx.alloc(), MAX_EVENT_BYTES);
        }
        return null;
    }

    private void onContent(HttpContent piece) {
        ByteBuf bytes = piece.content();
        if (state == State.STREAMING) {
            GatewayError failure;
            try {
                failure = relay.feed(bytes);
            } catch (SseOverflowException | MalformedStreamException | GatewayException e) {
                failure = e instanceof GatewayException g ? g.error()
                        : GatewayError.of(ErrorKind.PROVIDER_ERROR, "Provider '" + deployment.provider().id()
                        + "' sent a broken stream: " + e.getMessage());
            }
            if (failure != null) {
                upstreamFailed(failure);
                return;
            }
        } else {
            if (!reply.add(bytes)) {
                upstreamFailed(GatewayError.of(ErrorKind.PROVIDER_ERROR, "The provider's response exceeded "
                        + reply.maxBytes() + " bytes."));
                return;
            }
        }
        if (piece instanceof LastHttpContent) {
            upstreamEnded();
        }
    }

    @Override
    public void onReadComplete() {
        if (lease == null || (state != State.AWAITING_HEAD && state != State.READING_BODY
                && state != State.STREAMING)) {
            return;
        }
        if (state == State.STREAMING) {
            relay.flush();
            if (!ctx.channel().isWritable()) {
                readWanted = true; // resumed by onClientWritable: never read more than the client takes
                return;
            }
        }
        lease.read();
    }

    /** The client's socket drained below its low watermark. */
    @Override
    public void onClientWritable() {
        if (readWanted && state == State.STREAMING && ctx.channel().isWritable()) {
            readWanted = false;
            deadlines.touch();
            lease.read();
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        if (lease == null || (state != State.AWAITING_HEAD && state != State.READING_BODY
                && state != State.STREAMING)) {
            return;
        }
        if (state == State.AWAITING_HEAD && lease.reused() && !retriedStale) {
            // A pooled connection the server closed while idle: the request never reached it, so sending it
            // once more on a fresh connection is safe (and not a retry: the deployment never saw it).
            lease.discard();
            lease = null;
            deadlines.disarmRead();
            retriedStale = true;
            connect();
            return;
        }
        String provider = deployment.provider().id();
        upstreamFailed(GatewayError.of(ErrorKind.PROVIDER_ERROR, cause instanceof SSLException
                ? "TLS failure talking to provider '" + provider + "'."
                : "Connection to provider '" + provider + "' closed before the response was complete."));
    }

    /**
     * The client went away: stop the upstream at once and settle with what was seen. A follower only stops
     * waiting: the flight it followed goes on. A leader's followers that have received nothing yet go upstream on
     * their own, those already streaming are cut (the upstream call is this client's, and ends with it).
     */
    @Override
    public void onClientGone() {
        if (state == State.DONE) {
            return;
        }
        if (follower != null) {
            follower.leave();
            follower = null;
            deployment = null;
            servedFromCache = true;
        }
        if (lease != null) {
            lease.discard();
            lease = null;
        }
        releasePermit();
        finish(499, ErrorKind.CLIENT_CANCELLED);
    }

    private void upstreamEnded() {
        if (state == State.STREAMING) {
            GatewayError failure;
            try {
                failure = relay.end(plan.estimate(relay.outputChars()));
            } catch (GatewayException e) {
                failure = e.error();
            }
            if (failure != null) {
                upstreamFailed(failure);
            } else {
                deadlines.cancel();
                releaseLease();
                endPermit(null);
                trace.attemptEnded((GatewayError) null);
                streamComplete = true;
                if (cache != null) {
                    cache.streamed(deployment.upstreamModel(), relay.usage());
                }
                finish(200, null);
            }
            return;
        }
        UpstreamReply whole = reply.reply();
        reply = null;
        releaseLease();
        ExchangePlan.Answer answer;
        try {
            answer = plan.answer(whole);
        } catch (GatewayException e) {
            attemptFailed(GatewayError.of(ErrorKind.PROVIDER_ERROR, "Provider '" + deployment.provider().id()
                    + "' returned a response that is not valid: " + e.error().message()), null);
            return;
        }
        switch (answer) {
            case ExchangePlan.Answer.Body b when b.error() != null -> attemptFailed(b.error(), b);
            case ExchangePlan.Answer.Body original -> {
                endPermit(null);
                trace.attemptEnded((GatewayError) null);
                ExchangePlan.Answer.Body b = original;
                if (guard != null) {
                    ExchangePlan.Answer screened = guard.screenAnswer(original, dialect);
                    if (screened instanceof ExchangePlan.Answer.Failed blocked) {
                        answerBlocked(original, blocked.error());
                        return;
                    }
                    b = (ExchangePlan.Answer.Body) screened;
                }
                boolean gathering = cache != null && cache.gathering();
                // A relayed answer is read only when the cache, a sampled trace, review sampling or an evaluator
                // wants what it says.
                ChatResponse chat = b.chat() != null || route.operation() != Operation.CHAT
                        || !(gathering || trace.recording() || sampled) ? b.chat() : relayedAnswer(whole);
                if (gathering) {
                    cache.answered(chat);
                }
                if (chat != null) {
                    trace.answered(chat.id(), chat.model(), chat.finishReason());
                }
                keptAnswer = sampled ? chat : null;
                answer(b);
            }
            case ExchangePlan.Answer.Failed f -> attemptFailed(f.error(), null);
        }
    }

    /**
     * An output guardrail blocked the complete answer: the client gets {@code content_blocked} instead, and the
     * answer is charged as any other (the provider generated it).
     */
    private void answerBlocked(ExchangePlan.Answer.Body b, GatewayError error) {
        deadlines.cancel();
        answerUsage = b.usage().equals(Usage.UNKNOWN) ? plan.estimate(b.bytes().length) : b.usage();
        services.reporter().metrics().upstreamAttempt(deployment.id(), null, NextStep.NONE);
        fail(error);
    }

    /**
     * An output guardrail blocked a stream: before the commit point the client gets {@code content_blocked} as an
     * ordinary error, after it the in-band error and a cut stream. The deployment answered well (its breaker is
     * told so, nothing is retried), and what it generated so far is charged.
     */
    private void streamBlocked(GatewayError error) {
        if (lease != null) {
            lease.discard(); // the rest of the stream is not read
            lease = null;
        }
        deadlines.cancel();
        endPermit(null);
        trace.attemptEnded(error);
        services.reporter().metrics().upstreamAttempt(deployment.id(), null, NextStep.NONE);
        if (relay.committed()) {
            relay.abort(error);
            cut = true;
            finish(200, error.kind());
        } else {
            fail(error);
        }
    }

    /** A same-dialect answer, relayed as bytes, read into canonical form for the cache; null when it does not read. */
    private ChatResponse relayedAnswer(UpstreamReply whole) {
        try {
            return adapter.parse(whole);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "request " + requestId + ": answer not cached, it does not read", e);
            return null;
        }
    }

    /** Sends a complete answer: a success, or a provider's error relayed as it came. */
    private void answer(ExchangePlan.Answer.Body b) {
        deadlines.cancel();
        // A success without usage is still charged: estimated from the answer's size, and marked so.
        answerUsage = b.error() == null && b.usage().equals(Usage.UNKNOWN) ? plan.estimate(b.bytes().length)
                : b.usage();
        if (quote != null && !answerUsage.equals(Usage.UNKNOWN)) {
            SpendHeaders.cost(services.accounting().charge(quote, answerUsage).cost(), headers());
        }
        if (b.error() != null && b.error().retryAfter() != null) {
            HttpReplies.retryAfter(headers(), b.error().retryAfter()); // the provider's own wait, passed on
        }
        if (b.error() == null) {
            // A translated answer names its model; a relayed one is not read for it: the configured name serves.
            answeredBy = ResponseModel.of(b.chat() == null ? null : b.chat().model(), deployment.upstreamModel());
        }
        routeHeaders();
        HttpReplies.send(ctx, HttpResponseStatus.valueOf(b.status()), b.contentType(),
                Unpooled.wrappedBuffer(b.bytes()), requestId, keepAlive, extraHeaders);
        finish(b.status(), b.error() == null ? null : b.error().kind());
    }

    private void releaseLease() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }

    /** An upstream failure while reading: retried or failed over before commit, an in-band error after. */
    private void upstreamFailed(GatewayError error) {
        if (error.kind() == ErrorKind.GUARDRAIL_BLOCKED && relay != null) {
            streamBlocked(error); // only a stream guard fails a reply with this kind
            return;
        }
        if (lease != null) {
            lease.discard();
            lease = null;
        }
        if (relay != null && relay.committed()) {
            deadlines.cancel();
            endPermit(error);
            trace.attemptEnded(error);
            services.reporter().metrics().upstreamAttempt(deployment.id(), error.kind(), NextStep.NONE);
            relay.abort(error);
            cut = true;
            finish(200, error.kind());
            return;
        }
        attemptFailed(error, null);
    }

    /**
     * An attempt failed before anything reached the client: its verdict goes to the deployment's health, and the
     * plan decides what comes next.
     *
     * @param relayable the provider's own error answer, sent as it is if nothing else is tried; or null
     */
    private void attemptFailed(GatewayError error, ExchangePlan.Answer.Body relayable) {
        endPermit(error);
        trace.attemptEnded(error);
        deadlines.disarmRead();
        if (relay != null) {
            relay.close();
            relay = null;
        }
        if (reply != null) {
            reply.release();
            reply = null;
        }
        readWanted = false;
        Answered failure = new Answered(error, relayable);
        lastFailure = failure;
        RetryDecision next = routing.next(error, deadlines.left());
        services.reporter().metrics().upstreamAttempt(deployment.id(), error.kind(), switch (next) {
            case RetryDecision.RetrySame s -> NextStep.RETRY_SAME;
            case RetryDecision.TryNext t -> t.candidate().group().name().equals(modelName)
                    ? NextStep.NEXT_DEPLOYMENT : NextStep.FALLBACK;
            case RetryDecision.GiveUp g -> NextStep.GAVE_UP;
        });
        decide(next, failure);
    }

    private void fail(GatewayError error) {
        routeHeaders();
        HttpReplies.error(ctx, dialect, error, requestId, keepAlive, extraHeaders);
        finish(error.httpStatus(), error.kind());
    }

    private void internal(RuntimeException e) {
        // A bug, never the client's doing: logged with its trace here, answered without one.
        LOG.log(Level.SEVERE, "request " + requestId + " failed inside the gateway", e);
        fail(GatewayError.of(ErrorKind.INTERNAL, "The gateway failed to handle this request."));
    }

    private void finish(int status, ErrorKind kind) {
        state = State.DONE;
        deadlines.cancel();
        releasePermit(); // every path ends its permit first; this keeps a missed one from pinning a breaker
        if (backoff != null) {
            backoff.cancel(false);
            backoff = null;
        }
        if (kind == null && plan != null && upstreamStartNanos >= 0) {
            services.reporter().metrics().upstreamAttempt(deployment.id(), null, NextStep.NONE);
        }
        Usage usage = answerUsage;
        long ttft = -1;
        if (relay != null) {
            usage = relay.usage();
            if (!streamComplete) {
                usage = usage.cutShort(plan.estimate(relay.outputChars())); // charged for what was generated
            }
            ttft = relay.firstTokenNanos();
            relay.describe(trace);
            if (relay.committed()) {
                answeredBy = ResponseModel.of(relay.servedModel(), deployment.upstreamModel());
            }
            relay.close();
        }
        if (reply != null) {
            reply.release();
            reply = null;
        }
        Charge charge = quote == null || servedFromCache ? Charge.NOTHING
                : services.accounting().charge(quote, usage);
        if (reservation != null) {
            services.accounting().settle(reservation, usage, charge);
            reservation = null;
        }
        if (cache != null) {
            cache.finished(kind == null && status == 200 && !cut, modelName, charge.cost(), kind);
        }
        if (inFlight) {
            services.reporter().metrics().exchangeEnded(streaming());
        }
        if (streamSlot) {
            streamSlot = false;
            services.streams().release();
        }
        if (guard != null) {
            guard.finished();
        }
        long now = System.nanoTime();
        boolean completed = kind == null && status == 200 && !cut;
        ChatResponse kept = completed ? keptAnswer(usage) : null;
        ReviewDraft review = reviewed && kept != null ? reviewDraft(kept) : null;
        EvaluationDraft evaluation = evaluators.isEmpty() || kept == null ? null : evaluationDraft(kept);
        var summary = new ExchangeSummary(requestId, route.label(), route.operation(), modelName,
                answeredBy, deployment == null ? null : deployment.id(),
                deployment == null ? null : deployment.provider().id(),
                status, kind == null ? Outcome.SUCCESS : Outcome.of(kind), kind,
                envelope != null && streaming(), now - startNanos, ttft,
                upstreamStartNanos < 0 ? -1 : now - upstreamStartNanos, usage,
                caller.keyName(), caller.teamName(), caller.user(), charge.cost(), charge.estimated(), spendId,
                routing == null ? RouteTrace.NONE : new RouteTrace(routing.tier(), routing.tierRule(),
                        routing.variant(), routing.attempts(), routing.tried(), routing.fellBack()),
                cache == null ? null : cache.use(coalescedSaving), prompt,
                guard == null ? List.of() : guard.trips());
        trace.finished(summary, envelope == null ? null : envelope.model(), tracedSampling(), deployment);
        services.reporter().report(summary, trace.traceId(), review, evaluation);
        onDone.done(keepAlive && !cut);
    }

    /** The request's generation parameters for a sampled trace; null otherwise, or when the body does not read. */
    private Sampling tracedSampling() {
        if (!trace.recording() || features == null || measuring || route.operation() == Operation.EMBEDDINGS) {
            return null; // measuring: a worker may be decoding into the features right now
        }
        try {
            ChatRequest request = features.request(); // decoded once per exchange; usually already
            return request == null ? null : request.sampling();
        } catch (RuntimeException e) {
            return null; // a body only a same-dialect provider reads: its parameters go unrecorded
        }
    }

    /**
     * How much of a sampled stream's answer is gathered: as much as the review keeps, or the evaluators, whichever
     * is more.
     */
    private int keptChars() {
        int review = reviewed ? ReviewDraft.bound(snapshot.review().maxChars()) : 0;
        int evaluation = evaluators.isEmpty() ? 0 : EvaluationDraft.bound(snapshot.evaluation().maxChars());
        return Math.max(review, evaluation);
    }

    /**
     * A sampled, completed request's answer; null when it was not sampled or there is no answer to keep (a
     * follower of a coalesced request, an answer that does not read).
     */
    private ChatResponse keptAnswer(Usage usage) {
        if (!sampled) {
            return null;
        }
        return keptTranscript != null ? keptTranscript.result(modelName, usage) : keptAnswer;
    }

    /** A sampled request's texts for the review store; null when the request does not read. */
    private ReviewDraft reviewDraft(ChatResponse answer) {
        try {
            return ReviewDraft.of(features.request(), answer, keptTranscript != null && keptTranscript.cut(),
                    snapshot.review().maxChars());
        } catch (RuntimeException e) {
            // A relayed request the gateway never decoded may not read: it is not sampled, and still answered.
            LOG.log(Level.FINE, "request " + requestId + ": not sampled for review, it does not read", e);
            return null;
        }
    }

    /** A sampled request's texts and evaluators for the evaluation queue; null when the request does not read. */
    private EvaluationDraft evaluationDraft(ChatResponse answer) {
        try {
            return EvaluationDraft.of(features.request(), body.length, answer,
                    keptTranscript != null && keptTranscript.cut(), evaluators, snapshot.evaluation().maxChars(),
                    services.reporter().metrics());
        } catch (RuntimeException e) {
            // A relayed request the gateway never decoded may not read: counted, so a sample rate that seems not to
            // hold has a reason on the dashboard.
            LOG.log(Level.FINE, "request " + requestId + ": not evaluated, it does not read", e);
            for (Evaluator.Sampled evaluator : evaluators) {
                services.reporter().metrics().evaluationsSkipped(evaluator.name(), EvaluationDraft.UNREADABLE, 1);
            }
            return null;
        }
    }

    private GatewayError connectError(Throwable cause) {
        String provider = deployment.provider().id();
        if (cause instanceof ConnectTimeoutException) {
            return timeout("did not accept a connection in time");
        }
        return GatewayError.of(ErrorKind.PROVIDER_UNREACHABLE, "Cannot reach provider '" + provider + "'.");
    }

    private GatewayError timeout(String what) {
        return GatewayError.of(ErrorKind.PROVIDER_TIMEOUT, "Provider '" + deployment.provider().id() + "' " + what + ".");
    }

    private void timedOut(Deadlines.Expired expired) {
        switch (state) {
            case DONE -> { }
            case FOLLOWING -> {
                GatewayError error = GatewayError.of(ErrorKind.PROVIDER_TIMEOUT, "The identical request in flight "
                        + "whose answer this request shared did not finish within the request's deadline.");
                FlightFollower waiting = follower;
                follower = null;
                deployment = null;
                servedFromCache = true;
                if (waiting.abandon(error)) {
                    cut = true;
                    finish(200, error.kind());
                } else {
                    fail(error);
                }
            }
            case ADMITTING -> {
                releasePermit();
                fail(Refusals.of(new Admission.Unavailable("no answer within the request's deadline",
                        Duration.ofSeconds(1))));
            }
            case MEASURING -> {
                // The measuring pool was too far behind; its late result finds the exchange over and is dropped.
                releasePermit();
                fail(NOT_MEASURED);
            }
            case STARTING, WAITING, ACQUIRING -> {
                // Out of time between attempts or while connecting: nothing is left to try.
                GatewayError error = timeout("did not answer within the request's deadline");
                if (permit != null) { // connecting: the deployment did not accept in time
                    endPermit(error);
                    services.reporter().metrics().upstreamAttempt(deployment.id(), error.kind(), NextStep.GAVE_UP);
                }
                fail(lastFailure != null && state == State.WAITING ? lastFailure.error() : error);
            }
            case AWAITING_HEAD, READING_BODY, STREAMING -> {
                GatewayError error = timeout(switch (expired) {
                    case Deadlines.Expired.Overall o -> "did not finish within " + o.limit().toSeconds() + "s";
                    case Deadlines.Expired.Read r -> state == State.AWAITING_HEAD
                            ? "sent no response within " + r.limit().toSeconds() + "s"
                            : "went quiet for " + r.limit().toSeconds() + "s";
                });
                if (expired instanceof Deadlines.Expired.Overall && (relay == null || !relay.committed())) {
                    // Out of time before anything reached the client: this attempt fails uncharged, and no
                    // other is made.
                    if (lease != null) {
                        lease.discard();
                        lease = null;
                    }
                    endPermit(error);
                    services.reporter().metrics().upstreamAttempt(deployment.id(), error.kind(), NextStep.GAVE_UP);
                    if (relay != null) {
                        relay.close();
                        relay = null;
                    }
                    fail(error);
                } else {
                    upstreamFailed(error);
                }
            }
        }
    }
}
