package dev.tollgate.server.exchange;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.TokenEstimate;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.ResponseModel;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.server.pipeline.RequestId;
import dev.tollgate.server.spend.Charge;
import dev.tollgate.server.upstream.Origin;
import dev.tollgate.server.upstream.PoolExhaustedException;
import dev.tollgate.server.upstream.UpstreamLease;
import dev.tollgate.server.upstream.UpstreamListener;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One shadow copy of a chat request: sent to a deployment of a candidate model group, its answer read to the end
 * and discarded once its latency, tokens and cost are reported (route {@code shadow}). Nothing here touches the
 * client's exchange or its connection, so the client's answer never depends on the copy.
 *
 * <pre>
 *  send: cap -> (on the loop) prepare -> ACQUIRING -> AWAITING_HEAD -> READING_BODY -> report -> DONE
 *  any state: timeout, connection failure or a failure inside -> report the failure -> DONE
 * </pre>
 *
 * Always non-streaming, whatever the client asked: the copy's answer is only measured. Its summary names no key,
 * team or user, because the ledger rebuilds budgets by summing rows per team and key and the caller must never pay
 * for an experiment. Runs on the given event loop after the caller's code returns; never blocks it.
 */
public final class ShadowCall implements UpstreamListener {
    static final String ROUTE = "shadow";
    /** Shadow copies in flight per process: beyond this, copies are dropped rather than queued. */
    static final int MAX_IN_FLIGHT = 64;
    private static final Cap IN_FLIGHT = new Cap(MAX_IN_FLIGHT);
    private static final Logger LOG = Logger.getLogger(ShadowCall.class.getName());

    private enum State { STARTING, ACQUIRING, AWAITING_HEAD, READING_BODY, DONE }

    /** A process-wide bound on copies in flight; a copy over it is dropped and counted. Thread-safe. */
    static final class Cap {
        private final int max;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicLong dropped = new AtomicLong();

        Cap(int max) {
            this.max = max;
        }

        boolean tryTake() {
            if (inFlight.incrementAndGet() <= max) {
                return true;
            }
            inFlight.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }

        void give() {
            inFlight.decrementAndGet();
        }

        int inFlight() {
            return inFlight.get();
        }

        long dropped() {
            return dropped.get();
        }
    }

    private final Cap cap;
    private final EventLoop loop;
    private final ExchangeServices services;
    private final RuntimeSnapshot snapshot;
    private final String model;
    private final Deployment deployment;
    private final ChatRequest request;
    private final String requestId;
    private final String spendId;
    private final Deadlines deadlines;
    private final long startNanos = System.nanoTime();

    private State state = State.STARTING;
    private ProviderAdapter adapter;
    private UpstreamCall call;
    private Origin origin;
    private UpstreamLease lease;
    private boolean retriedStale;
    private long upstreamStartNanos = -1;
    private ReplyCollector reply;
    private Usage usage = Usage.UNKNOWN;
    /** The model that answered, bounded for labels; null until an answer came. */
    private String answeredBy;

    private ShadowCall(Cap cap, EventLoop loop, ExchangeServices services, RuntimeSnapshot snapshot, String model,
                       Deployment deployment, ChatRequest request, String parentRequestId) {
        this.cap = cap;
        this.loop = loop;
        this.services = services;
        this.snapshot = snapshot;
        this.model = model;
        this.deployment = deployment;
        this.request = new ChatRequest(request.model(), request.messages(), request.sampling(), request.tools(),
                request.toolChoice(), request.responseFormat(), false, false, request.user(), request.extensions(),
                request.dialect());
        this.requestId = RequestId.shadowOf(parentRequestId);
        // Always fresh: a client that reuses request ids must not make two copies share one ledger row.
        this.spendId = RequestId.generate();
        this.deadlines = new Deadlines(loop, () -> false, this::timedOut);
    }

    /**
     * Sends a copy of a chat request to deployment {@code d} (of model group {@code model}) and records what it
     * cost; never touches the client. Returns at once: the copy starts on {@code loop} after the caller's task, or
     * is dropped when {@link #MAX_IN_FLIGHT} copies are already in flight.
     */
    public static void send(EventLoop loop, ExchangeServices services, RuntimeSnapshot snapshot, String model,
                            Deployment d, ChatRequest request, String parentRequestId) {
        send(IN_FLIGHT, loop, services, snapshot, model, d, request, parentRequestId);
    }

    /** {@link #send} under a given cap: tests use a small one. */
    static void send(Cap cap, EventLoop loop, ExchangeServices services, RuntimeSnapshot snapshot, String model,
                     Deployment d, ChatRequest request, String parentRequestId) {
        if (!cap.tryTake()) {
            LOG.log(Level.FINE, () -> "shadow copy of " + parentRequestId + " to " + d.id() + " dropped: "
                    + cap.max + " already in flight (" + cap.dropped() + " dropped so far)");
            return;
        }
        try {
            ShadowCall shadow = new ShadowCall(cap, loop, services, snapshot, model, d, request, parentRequestId);
            loop.execute(shadow::start);
        } catch (RejectedExecutionException e) {
            cap.give(); // the loop is shutting down: there is nobody left to measure for
        } catch (RuntimeException e) {
            cap.give();
            LOG.log(Level.WARNING, "shadow copy of " + parentRequestId + " failed to start", e);
        }
    }

    private void start() {
        try {
            adapter = services.providers().adapter(deployment.provider().type());
            call = adapter.prepare(request, deployment);
            origin = Origin.of(call.uri());
        } catch (GatewayException e) {
            finish(e.error().httpStatus(), e.error().kind()); // a request this provider cannot take: still data
            return;
        } catch (RuntimeException e) {
            failedInside(e);
            return;
        }
        deadlines.start(deployment.provider().timeouts().overall());
        connect();
    }

    private void connect() {
        state = State.ACQUIRING;
        services.upstreams().acquire(loop, origin,
                deployment.provider().timeouts().connect(), this, this::onAcquired);
    }

    private void onAcquired(Future<UpstreamLease> acquired) {
        if (!acquired.isSuccess()) {
            if (state != State.DONE) {
                ErrorKind kind = connectFailure(acquired.cause());
                finish(kind.defaultStatus(), kind);
            }
            return;
        }
        if (state == State.DONE) {
            acquired.getNow().returnUnused(); // timed out while waiting: the connection is still good
            return;
        }
        lease = acquired.getNow();
        state = State.AWAITING_HEAD;
        upstreamStartNanos = System.nanoTime();
        deadlines.arm(deployment.provider().timeouts().firstByte());
        UpstreamLease sent = lease;
        sent.send(UpstreamRequests.build(call, origin, Unpooled.wrappedBuffer(call.body()), false, requestId, null))
                .addListener(w -> {
                    if (!w.isSuccess() && lease == sent) {
                        onClosed(w.cause());
                    }
                });
        lease.read();
    }

    private static ErrorKind connectFailure(Throwable cause) {
        if (cause instanceof PoolExhaustedException) {
            return ErrorKind.GATEWAY_OVERLOADED;
        }
        return cause instanceof ConnectTimeoutException ? ErrorKind.PROVIDER_TIMEOUT : ErrorKind.PROVIDER_UNREACHABLE;
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
            if (msg instanceof HttpContent piece && state == State.READING_BODY) {
                onContent(piece);
            }
        } catch (RuntimeException e) {
            failedInside(e);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse head) {
        if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return;
        }
        deadlines.arm(deployment.provider().timeouts().idle());
        state = State.READING_BODY;
        reply = new ReplyCollector(head, ByteBufAllocator.DEFAULT, snapshot.server().maxResponseBytes());
    }

    private void onContent(HttpContent piece) {
        if (!reply.add(piece.content())) {
            upstreamFailed(ErrorKind.PROVIDER_ERROR);
            return;
        }
        if (piece instanceof LastHttpContent) {
            upstreamEnded();
        }
    }

    @Override
    public void onReadComplete() {
        if (state != State.DONE && lease != null) {
            lease.read();
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        if (state == State.DONE) {
            return;
        }
        if (state == State.AWAITING_HEAD && lease.reused() && !retriedStale) {
            // A pooled connection the server closed while idle: the copy never reached it, so send it once more.
            retriedStale = true;
            lease.discard();
            lease = null;
            deadlines.disarmRead();
            connect();
            return;
        }
        upstreamFailed(ErrorKind.PROVIDER_ERROR);
    }

    /** The whole reply is in: the copy is over whatever it says; only its usage and kind are kept. */
    private void upstreamEnded() {
        UpstreamReply whole = reply.reply();
        reply = null;
        lease.release();
        GatewayError error;
        if (whole.status() / 100 != 2) {
            error = adapter.classify(whole);
        } else {
            try {
                ChatResponse response = adapter.parse(whole);
                // A success without usage is still priced: estimated from the answer's size, and marked so.
                usage = response.usage().equals(Usage.UNKNOWN)
                        ? Usage.estimated(TokenEstimate.input(request),
                                TokenEstimate.text(new String(whole.body(), StandardCharsets.UTF_8)))
                        : response.usage();
                answeredBy = ResponseModel.of(response.model(), deployment.upstreamModel());
                finish(200, null);
                return;
            } catch (GatewayException e) {
                error = e.error();
            }
        }
        finish(error.httpStatus(), error.kind());
    }

    private void upstreamFailed(ErrorKind kind) {
        if (state == State.DONE) {
            return;
        }
        if (lease != null) {
            lease.discard();
        }
        finish(kind.defaultStatus(), kind);
    }

    private void timedOut(Deadlines.Expired expired) {
        upstreamFailed(ErrorKind.PROVIDER_TIMEOUT);
    }

    /** A bug here, never the client's concern: logged, reported as internal, the connection dropped. */
    private void failedInside(RuntimeException e) {
        LOG.log(Level.WARNING, "shadow copy " + requestId + " to " + deployment.id() + " failed inside the gateway", e);
        upstreamFailed(ErrorKind.INTERNAL);
    }

    private void finish(int status, ErrorKind kind) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        deadlines.cancel();
        if (reply != null) {
            reply.release();
            reply = null;
        }
        cap.give();
        try {
            Charge charge = services.accounting().charge(snapshot, deployment, usage);
            long now = System.nanoTime();
            services.reporter().report(new ExchangeSummary(requestId, ROUTE, Operation.CHAT, model, answeredBy,
                    deployment.id(),
                    deployment.provider().id(), status, kind == null ? Outcome.SUCCESS : Outcome.of(kind), kind, false,
                    now - startNanos, -1, upstreamStartNanos < 0 ? -1 : now - upstreamStartNanos, usage,
                    null, null, null, charge.cost(), charge.estimated(), spendId, RouteTrace.NONE, null, null));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "shadow copy " + requestId + " could not be reported", e);
        }
    }
}
