package dev.tollgate.server.exchange;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.TokenEstimate;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.RateHeaders;
import dev.tollgate.core.quota.Reservation;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.Passthrough;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.core.spi.TokenCounting;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.server.access.Caller;
import dev.tollgate.server.pipeline.HttpReplies;
import dev.tollgate.server.pipeline.Route;
import dev.tollgate.server.spend.Charge;
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
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * One chat, embeddings or token-count request, from its body to the summary, on the client connection's event
 * loop (the upstream connection lives on the same loop, so nothing here is shared or locked).
 *
 * <pre>
 *  start: envelope -> model group (key scope) -> deployment -> {@link ExchangePlan} -> quote
 *    -> ADMITTING (limits and budgets reserved; only when some apply) -> ACQUIRING -> AWAITING_HEAD -+-> READING_BODY (non-stream, or any non-2xx) -> answer -> DONE
 *                                   +-> STREAMING (2xx event stream, relayed by {@link StreamRelay}) -> DONE
 *  any state: client gone -> DONE (upstream closed, never pooled); timeout or upstream failure -> error -> DONE
 * </pre>
 *
 * A failure before the response is committed becomes an ordinary error response; after it, an in-band error event
 * and a cut connection, so a client can never mistake a broken answer for a finished one. However it ends, the
 * reservation is settled once with what was used, in {@link #finish}.
 */
public final class ChatExchange implements UpstreamListener {

    /** Called once when the exchange is over, on its loop. */
    @FunctionalInterface
    public interface Done {
        /** @param connectionContinues false when the client connection is closing (no keep-alive, a cut stream) */
        void done(boolean connectionContinues);
    }

    private enum State { STARTING, ADMITTING, ACQUIRING, AWAITING_HEAD, READING_BODY, STREAMING, DONE }

    private static final int MAX_EVENT_BYTES = 8 << 20;
    private static final Logger LOG = Logger.getLogger(ChatExchange.class.getName());

    private final ChannelHandlerContext ctx;
    private final ExchangeServices services;
    private final ClientDialect dialect;
    private final Route route;
    private final String requestId;
    /** The id of this request's reservation and ledger row; see {@code RequestId.spendId}. */
    private final String spendId;
    private final boolean keepAlive;
    private final byte[] body;
    private final List<Header> clientHeaders;
    private final Done onDone;
    private final long startNanos = System.nanoTime();
    private Caller caller;

    private State state = State.STARTING;
    private RuntimeSnapshot snapshot;
    private RequestEnvelope envelope;
    /** The model group the request resolved to; only a configured name ever reaches a metrics label. */
    private String modelName;
    private Deployment deployment;
    private ProviderAdapter adapter;
    /** The plan for the upstream; null when the gateway answers itself (token counting, see {@link #toCount}). */
    private ExchangePlan plan;
    /** A token-count request the gateway answers itself, decoded; null otherwise. */
    private ChatRequest toCount;
    private Origin origin;
    private UpstreamLease lease;
    private boolean retriedStale;
    private long upstreamStartNanos = -1;
    private final Deadlines deadlines;
    private int upstreamStatus;
    private Map<String, String> upstreamHeaders;
    private CompositeByteBuf aggregate;
    private StreamRelay relay;
    private boolean readWanted;
    private Usage answerUsage = Usage.UNKNOWN;
    private boolean cut;
    /** The upstream stream ended with its terminal event: its usage is the provider's last word. */
    private boolean streamComplete;
    private Quote quote;
    private Reservation reservation;
    /** Rate-limit and cost headers for the client's response; null when there are none. */
    private HttpHeaders extraHeaders;

    /** @param clientHeaders the client headers its dialect carries to a same-dialect upstream */
    public ChatExchange(ChannelHandlerContext ctx, ExchangeServices services, ClientDialect dialect, Route route,
                        String requestId, String spendId, boolean keepAlive, byte[] body, List<Header> clientHeaders,
                        Caller caller, Done onDone) {
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
        this.onDone = onDone;
        this.deadlines = new Deadlines(ctx.executor(), () -> readWanted, this::timedOut);
    }

    /** Decodes, picks a deployment, plans and connects. Everything after happens in callbacks on this loop. */
    public void start() {
        snapshot = services.snapshot().get();
        Operation operation = route.operation();
        try {
            envelope = dialect.envelope(body, operation);
            ModelGroup group = snapshot.model(envelope.model());
            if (group == null) {
                fail(new GatewayError(ErrorKind.MODEL_NOT_FOUND, 404,
                        "The model '" + envelope.model() + "' does not exist or you do not have access to it.",
                        "model", "model_not_found", null));
                return;
            }
            modelName = group.name();
            caller = caller.withBodyUser(envelope.user());
            if (caller.key() != null && !caller.key().allowsModel(group.name())) {
                fail(new GatewayError(ErrorKind.PERMISSION_DENIED, 403, "The API key '" + caller.key().name()
                        + "' may not use the model '" + group.name() + "'.", "model", "model_not_allowed", null));
                return;
            }
            if (group.operation() != operation.servedBy()) {
                fail(GatewayError.invalid("model", "model_not_supported", "The model '" + group.name() + "' serves "
                        + group.operation().name().toLowerCase(Locale.ROOT) + ", not this endpoint."));
                return;
            }
            deployment = group.pick(ThreadLocalRandom.current());
            adapter = services.providers().adapter(deployment.provider().type());
            // A provider that cannot count tokens natively: the gateway counts, after the caller's limits admit it.
            boolean countHere = operation == Operation.COUNT_TOKENS && !sameDialect();
            if (countHere) {
                // only dialects with a counting route reach here; decoded now, so a bad body is a 400 up front
                toCount = ((TokenCounting) dialect).decodeCountTokens(body);
            } else {
                plan = ExchangePlan.of(operation, dialect, body, clientHeaders, envelope, deployment, adapter,
                        requestId);
            }
            quote = services.accounting().quote(snapshot, caller, group.name(), deployment,
                    operation != Operation.COUNT_TOKENS, countHere ? counter -> RequestSize.NOTHING : plan::size);
        } catch (GatewayException e) {
            fail(e.error());
            return;
        } catch (RuntimeException e) {
            // A bug, never the client's doing: logged with its trace here, answered without one.
            LOG.log(Level.SEVERE, "request " + requestId + " failed inside the gateway", e);
            fail(GatewayError.of(ErrorKind.INTERNAL, "The gateway failed to handle this request."));
            return;
        }
        if (plan != null) {
            origin = Origin.of(plan.call().uri());
        }
        deadlines.start(deployment.provider().timeouts().overall());
        if (!quote.limited()) {
            proceed();
            return;
        }
        state = State.ADMITTING;
        CompletionStage<Admission> admission = services.accounting().admit(quote, spendId,
                deployment.provider().timeouts().overall());
        CompletableFuture<Admission> done = admission.toCompletableFuture();
        if (done.isDone() && !done.isCompletedExceptionally()) {
            onAdmitted(done.join()); // the local store answers inline: no hop through the loop's queue
        } else {
            admission.whenComplete(this::admittedElsewhere);
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
        if (admission instanceof Admission.Granted g && state == State.DONE) {
            // The client left (or the deadline passed) while the store was answering: give the slots back.
            services.accounting().settle(g.reservation(), Usage.UNKNOWN, Charge.NOTHING);
            return;
        }
        if (state == State.DONE) {
            return;
        }
        switch (admission) {
            case Admission.Granted g -> {
                reservation = g.reservation();
                rateHeaders(g.headers());
                proceed();
            }
            case Admission.Denied d -> {
                rateHeaders(d.headers());
                services.reporter().metrics().quotaDenied(Refusals.kind(d.denial().scope()),
                        d.denial().dimension().label());
                fail(Refusals.of(d.denial(), quote.cost(), services.accounting().clock().instant()));
            }
            case Admission.Unavailable u -> fail(Refusals.of(u));
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

    private boolean sameDialect() {
        return adapter instanceof Passthrough same && same.dialect().equals(dialect.id());
    }

    /** Admitted: to the provider, or (token counting the provider cannot do) answered here. */
    private void proceed() {
        if (plan == null) {
            countLocally();
        } else {
            connect();
        }
    }

    /** A provider that cannot count tokens natively: the gateway's estimate, in the dialect's shape. */
    private void countLocally() {
        long tokens = TokenEstimate.input(toCount);
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
        Future<UpstreamLease> acquired = services.upstreams().acquire(ctx.channel().eventLoop(),
                origin, deployment.provider().timeouts().connect(), this);
        if (acquired.isDone()) {
            onAcquired(acquired);
        } else {
            acquired.addListener(f -> onAcquired(acquired));
        }
    }

    private void onAcquired(Future<UpstreamLease> acquired) {
        if (!acquired.isSuccess()) {
            if (state != State.DONE) {
                fail(connectError(acquired.cause()));
            }
            return;
        }
        if (state == State.DONE) {
            acquired.getNow().returnUnused(); // the client left while waiting: the connection is still good
            return;
        }
        lease = acquired.getNow();
        state = State.AWAITING_HEAD;
        upstreamStartNanos = System.nanoTime();
        deadlines.arm(deployment.provider().timeouts().firstByte());
        UpstreamLease sent = lease;
        sent.send(UpstreamRequests.build(plan.call(), origin, plan.body(ctx.alloc()), streaming(), requestId))
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
            if (state == State.DONE) {
                return;
            }
            deadlines.touch();
            if (msg instanceof HttpResponse head) {
                onHead(head);
            }
            if (msg instanceof HttpContent piece && state != State.DONE) {
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
        upstreamStatus = head.status().code();
        deadlines.arm(deployment.provider().timeouts().idle());
        boolean ok = head.status().codeClass() == HttpStatusClass.SUCCESS;
        EventFramer framer = ok && streaming() ? framerFor(head.headers().get(HttpHeaderNames.CONTENT_TYPE, "")) : null;
        if (framer != null) {
            state = State.STREAMING;
            relay = new StreamRelay(ctx, adapter.streamDecoder(), framer, plan.rendering(), requestId,
                    keepAlive, snapshot.server().streamKeepAlive(), startNanos, extraHeaders);
            return;
        }
        upstreamHeaders = new HashMap<>();
        head.headers().forEach(e -> upstreamHeaders.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        state = State.READING_BODY;
        aggregate = ctx.alloc().compositeBuffer(64);
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
        } else if (state == State.READING_BODY) {
            long max = snapshot.server().maxResponseBytes();
            if (aggregate.readableBytes() + (long) bytes.readableBytes() > max) {
                upstreamFailed(GatewayError.of(ErrorKind.PROVIDER_ERROR, "The provider's response exceeded "
                        + max + " bytes."));
                return;
            }
            if (bytes.isReadable()) {
                aggregate.addComponent(true, bytes.retain());
            }
        }
        if (piece instanceof LastHttpContent && state != State.DONE) {
            upstreamEnded();
        }
    }

    @Override
    public void onReadComplete() {
        if (state == State.DONE) {
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
    public void onClientWritable() {
        if (readWanted && state == State.STREAMING && ctx.channel().isWritable()) {
            readWanted = false;
            deadlines.touch();
            lease.read();
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        if (state == State.DONE) {
            return;
        }
        if (state == State.AWAITING_HEAD && lease.reused() && !retriedStale) {
            // A pooled connection the server closed while idle: the request never reached it, so sending it
            // once more on a fresh connection is safe.
            retriedStale = true;
            lease.discard();
            lease = null;
            deadlines.disarmRead();
            connect();
            return;
        }
        String provider = deployment.provider().id();
        upstreamFailed(GatewayError.of(ErrorKind.PROVIDER_ERROR, cause instanceof SSLException
                ? "TLS failure talking to provider '" + provider + "'."
                : "Connection to provider '" + provider + "' closed before the response was complete."));
    }

    /** The client went away: stop the upstream at once and settle with what was seen. */
    public void onClientGone() {
        if (state == State.DONE) {
            return;
        }
        if (lease != null) {
            lease.discard();
        }
        finish(499, ErrorKind.CLIENT_CANCELLED);
    }

    private void upstreamEnded() {
        deadlines.cancel();
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
                lease.release();
                streamComplete = true;
                finish(200, null);
            }
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(aggregate);
        aggregate.release();
        aggregate = null;
        lease.release();
        ExchangePlan.Answer answer;
        try {
            answer = plan.answer(new UpstreamReply(upstreamStatus, upstreamHeaders, bytes));
        } catch (GatewayException e) {
            upstreamFailed(GatewayError.of(ErrorKind.PROVIDER_ERROR, "Provider '" + deployment.provider().id()
                    + "' returned a response that is not valid: " + e.error().message()));
            return;
        }
        switch (answer) {
            case ExchangePlan.Answer.Body b -> {
                // A success without usage is still charged: estimated from the answer's size, and marked so.
                answerUsage = b.errorKind() == null && b.usage().equals(Usage.UNKNOWN)
                        ? plan.estimate(b.bytes().length) : b.usage();
                if (quote != null && !answerUsage.equals(Usage.UNKNOWN)) {
                    SpendHeaders.cost(services.accounting().charge(quote, answerUsage).cost(), headers());
                }
                HttpReplies.send(ctx, HttpResponseStatus.valueOf(b.status()), b.contentType(),
                        Unpooled.wrappedBuffer(b.bytes()), requestId, keepAlive, extraHeaders);
                finish(b.status(), b.errorKind());
            }
            case ExchangePlan.Answer.Failed f -> fail(f.error());
        }
    }

    /** An upstream failure at any point: an error response before commit, an in-band error after. */
    private void upstreamFailed(GatewayError error) {
        if (state == State.DONE) {
            return;
        }
        if (lease != null) {
            lease.discard();
        }
        if (relay != null && relay.committed()) {
            relay.abort(error);
            cut = true;
            finish(200, error.kind());
            return;
        }
        fail(error);
    }

    private void fail(GatewayError error) {
        HttpReplies.error(ctx, dialect, error, requestId, keepAlive, extraHeaders);
        finish(error.httpStatus(), error.kind());
    }

    private void finish(int status, ErrorKind kind) {
        state = State.DONE;
        deadlines.cancel();
        Usage usage = answerUsage;
        long ttft = -1;
        if (relay != null) {
            usage = relay.usage();
            if (!streamComplete) {
                usage = usage.cutShort(plan.estimate(relay.outputChars())); // charged for what was generated
            }
            ttft = relay.firstTokenNanos();
            relay.close();
        }
        if (aggregate != null) {
            aggregate.release();
            aggregate = null;
        }
        Charge charge = quote == null ? Charge.NOTHING : services.accounting().charge(quote, usage);
        if (reservation != null) {
            services.accounting().settle(reservation, usage, charge);
            reservation = null;
        }
        long now = System.nanoTime();
        services.reporter().report(new ExchangeSummary(requestId, route.label(), modelName,
                deployment == null ? null : deployment.id(),
                deployment == null ? null : deployment.provider().id(),
                status, kind == null ? Outcome.SUCCESS : Outcome.of(kind), kind,
                envelope != null && streaming(), now - startNanos, ttft,
                upstreamStartNanos < 0 ? -1 : now - upstreamStartNanos, usage,
                caller.keyName(), caller.teamName(), caller.user(), charge.cost(), charge.estimated(), spendId));
        onDone.done(keepAlive && !cut);
    }

    private GatewayError connectError(Throwable cause) {
        String provider = deployment.provider().id();
        if (cause instanceof PoolExhaustedException) {
            return new GatewayError(ErrorKind.GATEWAY_OVERLOADED, 503, "Too many requests waiting for provider '"
                    + provider + "'.", null, "upstream_overflow", Duration.ofSeconds(1));
        }
        if (cause instanceof ConnectTimeoutException) {
            return timeout("did not accept a connection in time");
        }
        return GatewayError.of(ErrorKind.PROVIDER_UNREACHABLE, "Cannot reach provider '" + provider + "'.");
    }

    private GatewayError timeout(String what) {
        return GatewayError.of(ErrorKind.PROVIDER_TIMEOUT, "Provider '" + deployment.provider().id() + "' " + what + ".");
    }

    private void timedOut(Deadlines.Expired expired) {
        if (state == State.DONE) {
            return;
        }
        if (state == State.ADMITTING) {
            fail(Refusals.of(new Admission.Unavailable("no answer within the request's deadline",
                    Duration.ofSeconds(1))));
            return;
        }
        upstreamFailed(timeout(switch (expired) {
            case Deadlines.Expired.Overall o -> "did not finish within " + o.limit().toSeconds() + "s";
            case Deadlines.Expired.Read r -> state == State.AWAITING_HEAD
                    ? "sent no response within " + r.limit().toSeconds() + "s"
                    : "went quiet for " + r.limit().toSeconds() + "s";
        }));
    }
}
